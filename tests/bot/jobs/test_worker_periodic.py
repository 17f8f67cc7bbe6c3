"""The lease holder's scheduler also runs the theme jobs: re-clustering, digest, spike alerts."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.app import build_worker
from bot.db.session import SessionFactory
from bot.jobs import periodic
from bot.jobs.worker import Worker
from bot.settings import Settings


def _worker(settings: Settings, session_factory: SessionFactory, engine: Engine) -> Worker:
    return build_worker(settings, session_factory=session_factory, engine=engine)


def test_holder_schedules_theme_jobs_and_clears_them_on_stop(
    settings: Settings, session_factory: SessionFactory, engine: Engine
) -> None:
    configured = settings.model_copy(
        update={"digest_channel": "CDIGEST", "timezone": "Europe/Berlin"}
    )
    worker = _worker(configured, session_factory, engine)
    worker._start_scheduler()
    try:
        scheduler = worker._scheduler
        assert scheduler is not None
        ids = {job.id for job in scheduler.get_jobs()}
        assert {periodic.RECLUSTER_JOB, periodic.DIGEST_JOB, periodic.SPIKES_JOB} <= ids
        assert periodic._current() is not None
    finally:
        worker._stop_scheduler()
    assert periodic._current() is None


def test_without_a_digest_channel_nothing_is_posted(
    settings: Settings, session_factory: SessionFactory, engine: Engine
) -> None:
    worker = _worker(settings, session_factory, engine)
    worker._start_scheduler()
    try:
        scheduler = worker._scheduler
        assert scheduler is not None
        ids = {job.id for job in scheduler.get_jobs()}
        assert periodic.RECLUSTER_JOB in ids
        assert periodic.DIGEST_JOB not in ids and periodic.SPIKES_JOB not in ids
    finally:
        worker._stop_scheduler()
