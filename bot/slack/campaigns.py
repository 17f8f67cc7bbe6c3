"""Turning a campaign's due occurrences into runs, and runs into per-recipient deliveries.

Both steps are idempotent: a run is unique per (campaign, occurrence key) and a delivery per
(run, recipient), so a firing repeated after a crash, or by a successor process, adds nothing
twice. Runs whose every possible due time is older than the grace window are recorded as missed
instead of being sent late; so are single deliveries that are already too late when expanded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.db.nudge_models import NudgeCampaign, NudgeDelivery, NudgeRun
from bot.db.session import SessionFactory
from bot.db.upsert import insert_ignore
from bot.domain.occurrences import Occurrence, latest_due, next_expansion, occurrences, plan
from bot.domain.schedule import Schedule
from bot.domain.time import aware, maybe_aware
from bot.slack.audience import AudienceResolver
from bot.slack.recipients import RecipientDirectory

logger = logging.getLogger(__name__)
_INSERT_CHUNK = 1000


@dataclass
class FireReport:
    """What one firing did."""

    runs: int = 0
    missed_runs: int = 0
    expanded: int = 0
    deliveries: int = 0


def occurrence_for(schedule: Schedule, run_key: str, expand_at: datetime) -> Occurrence | None:
    """Find a run's occurrence again from its key (schedules are deterministic)."""
    for occurrence in occurrences(schedule, after=None, until=expand_at):
        if occurrence.key == run_key:
            return occurrence
    return None


class CampaignRunner:
    """Fires campaigns (catching up missed occurrences) and expands their runs."""

    def __init__(
        self,
        session_factory: SessionFactory,
        resolver: AudienceResolver,
        recipients: RecipientDirectory,
        *,
        grace: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self._resolver = resolver
        self._recipients = recipients
        self.grace = grace
        self._clock = clock
        self._expanding: set[int] = set()
        self._lock = threading.Lock()

    def fire(self, campaign_id: int, now: datetime | None = None) -> FireReport:
        """Create the runs due by `now` for one campaign, then expand them."""
        now = now or self._clock()
        report = FireReport()
        with self._session_factory() as session, session.begin():
            campaign = session.get(NudgeCampaign, campaign_id)
            if campaign is None or campaign.status != "active":
                return report
            schedule = Schedule.from_dict(campaign.schedule)
            after = maybe_aware(campaign.processed_until)
            due = occurrences(schedule, after=after, until=now)
            rows = []
            for occurrence in due:
                if occurrence.step >= len(campaign.lessons):
                    continue
                missed = latest_due(schedule, occurrence) < now - self.grace
                report.missed_runs += missed
                rows.append(
                    {
                        "campaign_id": campaign.id,
                        "run_key": occurrence.key,
                        "step": occurrence.step,
                        "lesson_id": campaign.lessons[occurrence.step],
                        "expand_at": occurrence.expand_at,
                        "status": "missed" if missed else "expanding",
                        "recipients": 0,
                        "skipped": 0,
                        "errors": [],
                        "created_at": now,
                    }
                )
            insert_ignore(session, NudgeRun.__table__, rows)  # type: ignore[arg-type]
            report.runs = len(rows)
            if due:
                campaign.processed_until = due[-1].expand_at
            upcoming = next_expansion(schedule, maybe_aware(campaign.processed_until))
            campaign.next_run_at = upcoming
            if upcoming is None:
                campaign.status = "finished"
        if report.missed_runs:
            logger.warning(
                "campaign %s: %s runs were due longer ago than the grace window; recorded as missed",
                campaign_id,
                report.missed_runs,
            )
        self.expand_pending(now, campaign_id=campaign_id, report=report)
        return report

    def fire_all(self, now: datetime | None = None) -> FireReport:
        """Catch up every active campaign (used when a process becomes the dispatcher)."""
        now = now or self._clock()
        total = FireReport()
        with self._session_factory() as session:
            ids = session.scalars(
                select(NudgeCampaign.id).where(NudgeCampaign.status == "active")
            ).all()
        for campaign_id in ids:
            report = self.fire(campaign_id, now)
            total.runs += report.runs
            total.missed_runs += report.missed_runs
            total.expanded += report.expanded
            total.deliveries += report.deliveries
        self.expand_pending(now, report=total)
        return total

    def expand_pending(
        self,
        now: datetime | None = None,
        *,
        campaign_id: int | None = None,
        report: FireReport | None = None,
    ) -> FireReport:
        """Expand every run still marked `expanding` (new, or left so by a crash)."""
        now = now or self._clock()
        report = report or FireReport()
        query = select(NudgeRun.id).where(NudgeRun.status == "expanding").order_by(NudgeRun.id)
        if campaign_id is not None:
            query = query.where(NudgeRun.campaign_id == campaign_id)
        with self._session_factory() as session:
            run_ids = session.scalars(query).all()
        for run_id in run_ids:
            with self._lock:
                if run_id in self._expanding:
                    continue
                self._expanding.add(run_id)
            try:
                report.deliveries += self._expand(run_id, now)
                report.expanded += 1
            finally:
                with self._lock:
                    self._expanding.discard(run_id)
        return report

    def _expand(self, run_id: int, now: datetime) -> int:
        with self._session_factory() as session:
            run = session.get(NudgeRun, run_id)
            if run is None or run.status != "expanding":
                return 0
            campaign = session.get(NudgeCampaign, run.campaign_id)
            assert campaign is not None
            schedule = Schedule.from_dict(campaign.schedule)
            audience = list(campaign.audience)
            cancelled = campaign.status == "cancelled"
            run_key, run_expand_at = run.run_key, aware(run.expand_at)
            campaign_key, lesson_id, step = campaign.id, run.lesson_id, run.step
        if cancelled:
            self._finish_run(run_id, status="cancelled", now=now)
            return 0
        occurrence = occurrence_for(schedule, run_key, run_expand_at)
        if occurrence is None:
            self._finish_run(run_id, status="expanded", now=now, errors=["schedule changed"])
            return 0
        # Slack calls happen outside any transaction: they can take a while.
        expansion = self._resolver.expand(audience)
        needs_zone = schedule.local_time or schedule.skip_weekends or schedule.quiet is not None
        zones = (
            self._recipients.zones(expansion.users)
            if needs_zone
            else dict.fromkeys(expansion.users)
        )
        planned = plan(schedule, occurrence, zones)
        rows = _delivery_rows(
            run_id, campaign_key, lesson_id, step, planned, too_late=now - self.grace, now=now
        )
        self._record_expansion(
            run_id,
            rows,
            recipients=len(planned),
            skipped=len(expansion.users) - len(planned),
            errors=expansion.errors[:50],
            now=now,
        )
        logger.info(
            "run %s of campaign %s: %s recipients (%s skipped, %s audience errors)",
            run_id,
            campaign_key,
            len(planned),
            len(expansion.users) - len(planned),
            len(expansion.errors),
        )
        return len(rows)

    def _record_expansion(
        self,
        run_id: int,
        rows: list[dict[str, Any]],
        *,
        recipients: int,
        skipped: int,
        errors: list[str],
        now: datetime,
    ) -> None:
        """The run's deliveries and its `expanded` mark, in one transaction."""
        with self._session_factory() as session, session.begin():
            for start in range(0, len(rows), _INSERT_CHUNK):
                insert_ignore(
                    session,
                    NudgeDelivery.__table__,  # type: ignore[arg-type]
                    rows[start : start + _INSERT_CHUNK],
                )
            session.execute(
                update(NudgeRun)
                .where(NudgeRun.id == run_id, NudgeRun.status == "expanding")
                .values(
                    status="expanded",
                    recipients=recipients,
                    skipped=skipped,
                    errors=errors,
                    expanded_at=now,
                )
            )

    def _finish_run(
        self, run_id: int, *, status: str, now: datetime, errors: list[str] | None = None
    ) -> None:
        with self._session_factory() as session, session.begin():
            session.execute(
                update(NudgeRun)
                .where(NudgeRun.id == run_id, NudgeRun.status == "expanding")
                .values(status=status, expanded_at=now, errors=errors or [])
            )


def _delivery_rows(
    run_id: int,
    campaign_id: int,
    lesson_id: str,
    step: int,
    planned: dict[str, datetime],
    *,
    too_late: datetime,
    now: datetime,
) -> list[dict[str, Any]]:
    """One outbox row per planned recipient; those due before `too_late` are already missed."""
    return [
        {
            "run_id": run_id,
            "campaign_id": campaign_id,
            "lesson_id": lesson_id,
            "step": step,
            "recipient": user,
            "due_at": due,
            "status": "missed" if due < too_late else "pending",
            "error": "missed" if due < too_late else None,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for user, due in planned.items()
    ]
