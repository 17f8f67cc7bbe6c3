"""Retention: the text of older reports and concerns is removed; their theme, lens, dates and
every count stay, re-clustering keeps them in their theme, and the report says which period
still has text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine, select

from bot.db.models import PainPoint, Theme
from bot.db.nudge_models import Concern
from bot.db.session import SessionFactory
from bot.domain.themes import InsightReport
from bot.reporting.report import render
from bot.services.concerns import ConcernService
from bot.services.embeddings import EmbeddingService, to_bytes
from bot.services.insights import ThemeInsights
from bot.services.retention import RetentionService
from bot.services.themes import ThemeService
from bot.settings import Settings
from clustering.pipeline import ThemePipeline
from tests.bot.reporting.factories import seed_theme

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def insights(session_factory: SessionFactory) -> InsightReport:
    return ThemeInsights(session_factory, min_reporters=3, clock=lambda: NOW).report(
        period="all", with_history=True
    )


def numbers(report: InsightReport) -> list[tuple[object, ...]]:
    """Everything a report counts, theme by theme (not the quotes)."""
    return [
        (
            t.id,
            t.size,
            t.reporters,
            t.hours_per_week,
            t.categories,
            t.teams,
            t.frequencies,
            t.first_seen,
            t.last_seen,
            tuple(t.weekly_counts),
        )
        for t in report.themes
    ] + [(report.total_painpoints, report.total_reporters, report.categories)]


def test_old_text_goes_and_every_count_stays(session_factory: SessionFactory) -> None:
    seeded = seed_theme(
        session_factory,
        "Invoices typed by hand",
        reporters=4,
        reports_per_reporter=2,
        days_ago=[200, 100, 45, 20, 10, 5, 2, 1],
        now=NOW,
        hours=3.0,
        team="Finance",
        category="repetitive_task",
        frequency="daily",
        embeddings=True,
    )
    with session_factory() as session, session.begin():
        for row in session.scalars(select(PainPoint)):
            row.details = "More: it happens at month end"
    before = insights(session_factory)

    done = RetentionService(session_factory, days=30, clock=lambda: NOW).apply()

    assert (done.painpoints, done.cutoff) == (3, NOW - timedelta(days=30))
    after = insights(session_factory)
    assert numbers(after) == numbers(before)
    with session_factory() as session:
        rows = {row.id: row for row in session.scalars(select(PainPoint))}
        old = [rows[i] for i in seeded.painpoint_ids[:3]]
        kept = [rows[i] for i in seeded.painpoint_ids[3:]]
        for row in old:
            assert (row.text, row.details, row.sealed, row.embedding) == ("", None, None, None)
            assert row.text_removed_at is not None and row.text_hash == "removed"
            assert (row.theme_id, row.category, row.team) == (
                seeded.theme_id,
                "repetitive_task",
                "Finance",
            )
        assert all(row.text and row.details and row.embedding for row in kept)
    # Quotes come only from reports that still have their text.
    [theme] = after.themes
    assert theme.quotes and all(q in {row.text for row in kept} for q in theme.quotes)
    # The report says which period still has text.
    assert after.text_removed_until is not None
    assert after.text_removed_until.date() == (NOW - timedelta(days=45)).date()
    assert "text removed under the retention policy" in render(after, "md")
    assert before.text_removed_until is None
    assert "Every report" in render(before, "md")
    # A second pass finds nothing more.
    again = RetentionService(session_factory, days=30, clock=lambda: NOW).apply()
    assert (again.painpoints, again.concerns) == (0, 0)


def test_old_concerns_lose_their_text_and_still_count(session_factory: SessionFactory) -> None:
    concerns = ConcernService(
        session_factory,
        secret_key="test-secret-key-not-for-production",
        min_reporters=3,
        clock=lambda: NOW - timedelta(days=90),
    )
    for user in ("U1", "U2", "U3"):
        concerns.record(team_id="T1", user_id=user, text=f"Old worry of {user}", topic="workload")
    concerns._clock = lambda: NOW  # newer ones
    concerns.record(team_id="T1", user_id="U4", text="A new worry", topic="workload")
    with session_factory() as session, session.begin():
        for row in session.scalars(select(Concern)):
            row.text, row.pending_scrub, row.sealed = "worry", False, None
    before = concerns.report()

    done = RetentionService(session_factory, days=30, clock=lambda: NOW).apply()

    after = concerns.report()
    assert done.concerns == 3
    assert [(g.topic, g.count, g.reporters) for g in after.groups] == [
        (g.topic, g.count, g.reporters) for g in before.groups
    ]
    assert after.groups[0].quotes == ("worry",)  # only the concern that still has its text
    with session_factory() as session:
        texts = sorted(row.text for row in session.scalars(select(Concern)))
    assert texts == ["", "", "", "worry"]


MODEL = "synthetic-blobs"


class _NoEmbedder:
    def embed(self, texts: object) -> np.ndarray:
        raise AssertionError("nothing past retention may be embedded again")


def test_re_clustering_keeps_reports_past_retention_in_their_theme(
    session_factory: SessionFactory,
) -> None:
    rng = np.random.default_rng(7)
    now = datetime.now(UTC)
    topics = ["vpn drops laptop", "invoice copy billing", "expense approval waiting"]
    with session_factory() as session, session.begin():
        for topic, centre in enumerate(np.eye(3, 32, dtype=np.float32) * 3):
            for n in range(24):
                vector = centre + rng.normal(0, 0.35, 32).astype(np.float32)
                session.add(
                    PainPoint(
                        text=f"{topics[topic]} report {topic}-{n}",
                        text_hash=f"h{topic}-{n}",
                        source="import",
                        reporter=f"r{topic}-{n}",
                        # A third of each topic is older than the retention period.
                        created_at=now - timedelta(days=100 if n % 3 == 0 else 2),
                        updated_at=now,
                        embedding=to_bytes(vector / np.linalg.norm(vector)),
                        embedding_model=MODEL,
                    )
                )
    embeddings = EmbeddingService(session_factory, _NoEmbedder, model_name=MODEL)
    themes = ThemeService(session_factory, embeddings, ThemePipeline)
    assert themes.recluster().themes == 3
    with session_factory() as session:
        first = dict(session.execute(select(PainPoint.id, PainPoint.theme_id)).all())

    RetentionService(session_factory, days=30).apply()
    assert embeddings.pending_ids() == []  # no text left to embed
    second = themes.recluster()

    assert second.items == 48 and second.themes == 3
    with session_factory() as session:
        rows = session.execute(
            select(PainPoint.id, PainPoint.theme_id, PainPoint.text_removed_at)
        ).all()
        active = set(session.scalars(select(Theme.id).where(Theme.active.is_(True))))
    removed = [row for row in rows if row.text_removed_at is not None]
    assert len(removed) == 24
    assert all(row.theme_id == first[row.id] and row.theme_id in active for row in removed)
    report = ThemeInsights(session_factory, min_reporters=3).report(period="all")
    assert sorted(t.size for t in report.themes) == [24, 24, 24]


def test_retention_needs_a_positive_period(session_factory: SessionFactory) -> None:
    with pytest.raises(ValueError):
        RetentionService(session_factory, days=0)
    service = RetentionService(session_factory, days=7, clock=lambda: NOW)
    assert service.cutoff() == NOW - timedelta(days=7)
    assert replace(service.apply(), cutoff=NOW).painpoints == 0


def test_the_lease_holder_runs_retention_daily_only_when_it_is_set(
    settings: Settings, session_factory: SessionFactory, engine: Engine
) -> None:
    from bot.app import build_worker
    from bot.jobs import periodic

    for days, scheduled in ((None, False), (30, True)):
        configured = settings.model_copy(update={"retention_days": days})
        worker = build_worker(configured, session_factory=session_factory, engine=engine)
        worker._start_scheduler()
        try:
            assert worker._scheduler is not None
            job = worker._scheduler.get_job(periodic.RETENTION_JOB)
            assert (job is not None) is scheduled
            work = periodic._current()
            assert work is not None and (work.retention is not None) is scheduled
            if job is not None:
                assert work.retention is not None and work.retention.days == 30
                seed_theme(session_factory, "Old", reporters=3, days_ago=[60, 61, 62])
                periodic.retention_job()
                with session_factory() as session:
                    texts = set(session.scalars(select(PainPoint.text)))
                assert texts == {""}
        finally:
            worker._stop_scheduler()


def test_a_report_past_retention_cannot_be_given_new_text_that_retention_never_removes(
    session_factory: SessionFactory,
) -> None:
    from bot.domain.capture import Outcome, PainPointInput
    from bot.services.capture import CaptureService
    from tests.conftest import SECRET_KEY
    from tests.stored import painpoints

    now = [NOW - timedelta(days=60)]
    capture = CaptureService(session_factory, secret_key=SECRET_KEY, clock=lambda: now[0])
    recorded = capture.record(
        team_id="T1", user_id="U1", submission=PainPointInput("Invoices typed by hand", "dm")
    )
    assert recorded.painpoint is not None
    painpoints(session_factory)
    now[0] = NOW
    retention = RetentionService(session_factory, days=30, clock=lambda: now[0])
    assert retention.apply().painpoints == 1

    # "Add details" on the old receipt: the form opens on the emptied report.
    amended = capture.amend(
        team_id="T1",
        user_id="U1",
        painpoint_id=recorded.painpoint.id,
        submission=PainPointInput("Invoices typed by hand, ask Maria Lopez", "modal"),
    )
    now[0] = NOW + timedelta(days=1)
    retention.apply()

    [row] = painpoints(session_factory)
    assert (row.text, row.details) == ("", None)
    assert amended.outcome is Outcome.EXPIRED
