"""APScheduler 3.x wiring: one persistent job per campaign, fired by a trigger made of the
pure schedule, in a job store on the app's database.

Jobs have explicit ids (`campaign:{id}`), are (re)added with `replace_existing=True`, and call
the module-level `fire_campaign(campaign_id)` with a picklable argument. Only the process that
holds the nudge lease runs a scheduler, so the job store is never shared by two running
schedulers; other processes only write campaign rows, which the holder syncs into jobs.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.executors.pool import ThreadPoolExecutor as JobExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import Engine, select

from bot.db.nudge_models import APSCHEDULER_TABLE, NudgeCampaign
from bot.db.session import SessionFactory
from bot.domain.occurrences import next_expansion
from bot.domain.schedule import Schedule
from bot.domain.time import maybe_aware

if TYPE_CHECKING:
    from bot.slack.campaigns import CampaignRunner

logger = logging.getLogger(__name__)

_runner: CampaignRunner | None = None
_runner_lock = threading.Lock()


def job_id(campaign_id: int) -> str:
    """The scheduler job id of a campaign."""
    return f"campaign:{campaign_id}"


def set_runner(runner: CampaignRunner | None, *, only_if: CampaignRunner | None = None) -> None:
    """Install the runner the job function uses (the lease holder's); None to clear."""
    global _runner
    with _runner_lock:
        if only_if is None or _runner is only_if:
            _runner = runner


def fire_campaign(campaign_id: int) -> None:
    """The persistent job: create and expand a campaign's due runs."""
    with _runner_lock:
        runner = _runner
    if runner is None:
        # The process lost the lease between the firing and now; the next holder catches up.
        logger.info(
            "campaign %s fired without a runner; the lease holder will catch up", campaign_id
        )
        return
    runner.fire(campaign_id)


class CampaignTrigger(BaseTrigger):  # type: ignore[misc]
    """Fires at each occurrence's expansion time, computed by the pure schedule.

    It pickles as the schedule's JSON dict, so the job store holds plain data.
    """

    __slots__ = ("schedule",)

    def __init__(self, schedule: dict[str, Any]) -> None:
        self.schedule = schedule

    def get_next_fire_time(
        self,
        previous_fire_time: datetime | None,
        now: datetime,  # noqa: ARG002 - APScheduler's signature; the schedule alone decides
    ) -> datetime | None:
        """The first expansion time after the previous firing (the first ever when None)."""
        after = previous_fire_time.astimezone(UTC) if previous_fire_time else None
        return next_expansion(Schedule.from_dict(self.schedule), after)

    def __getstate__(self) -> dict[str, Any]:
        return {"version": 1, "schedule": self.schedule}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.schedule = state["schedule"]

    def __str__(self) -> str:
        return f"campaign[{Schedule.from_dict(self.schedule).describe()}]"


def build_scheduler(jobstore_engine: Engine) -> BackgroundScheduler:
    """A scheduler whose jobs live in the app database's `apscheduler_jobs` table."""
    return BackgroundScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(engine=jobstore_engine, tablename=APSCHEDULER_TABLE)
        },
        executors={"default": JobExecutor(max_workers=2)},
        job_defaults={
            # A late firing is never dropped by APScheduler: fire_campaign itself decides,
            # per occurrence, between catching up (within the grace window) and "missed".
            "misfire_grace_time": None,
            "coalesce": True,
            "max_instances": 1,
        },
        timezone=UTC,
    )


def sync_jobs(
    scheduler: BackgroundScheduler, session_factory: SessionFactory, now: datetime
) -> tuple[int, int]:
    """Give every active campaign its job and remove jobs of the others; (added, removed)."""
    with session_factory() as session:
        rows = session.execute(
            select(NudgeCampaign.id, NudgeCampaign.schedule, NudgeCampaign.processed_until).where(
                NudgeCampaign.status == "active"
            )
        ).all()
    active = {row.id: row for row in rows}
    existing = {job.id for job in scheduler.get_jobs()}
    added = removed = 0
    for campaign_id, row in active.items():
        if job_id(campaign_id) in existing:
            continue
        schedule = Schedule.from_dict(row.schedule)
        upcoming = next_expansion(schedule, maybe_aware(row.processed_until))
        scheduler.add_job(
            fire_campaign,
            trigger=CampaignTrigger(dict(row.schedule)),
            args=(campaign_id,),
            id=job_id(campaign_id),
            name=f"nudge campaign {campaign_id}",
            replace_existing=True,
            # Nothing left to run: fire once now so the campaign is marked finished.
            next_run_time=upcoming or now,
        )
        added += 1
    for stale in existing - {job_id(campaign_id) for campaign_id in active}:
        if stale.startswith("campaign:"):
            scheduler.remove_job(stale)
            removed += 1
    if added or removed:
        scheduler.wakeup()
    return added, removed
