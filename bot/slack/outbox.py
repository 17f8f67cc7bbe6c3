"""The outbox's rows: which deliveries a dispatch pass takes, and every state change a delivery
goes through (drawn in bot.slack.dispatcher). Each change is its own committed transaction and
names the status it expects, so a crash or a concurrent change leaves a row that the next pass
can resume from, and a stale change does nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update

from bot.db.nudge_models import NudgeCampaign, NudgeDelivery, NudgeRecipient
from bot.db.session import SessionFactory
from bot.domain.lessons import Library
from bot.domain.time import maybe_aware

# A pilot's closing DM goes out even to people who paused nudges: they asked to hear.
UNPAUSABLE = "pilot-close:%"


@dataclass(frozen=True)
class Task:
    """One delivery to handle, as read by the batch query."""

    id: int
    recipient: str
    lesson_id: str
    step: int
    campaign_id: int
    status: str
    attempts: int
    channel: str | None
    sending_at: datetime | None


def due_or_stale(now: datetime, stale: datetime) -> Any:
    """Pending deliveries that are due, and `sending` ones ready to be verified: those whose
    retry time came, and those left `sending` since before `stale` by a failure."""
    d = NudgeDelivery
    due_pending = and_(
        d.status == "pending",
        d.due_at <= now,
        or_(d.next_attempt_at.is_(None), d.next_attempt_at <= now),
    )
    to_verify = and_(
        d.status == "sending",
        or_(
            d.next_attempt_at <= now,
            and_(d.next_attempt_at.is_(None), d.sending_at < stale),
        ),
    )
    return or_(due_pending, to_verify)


def sending_ready(now: datetime) -> Any:
    """Every `sending` delivery whose verification is not deferred past `now`."""
    d = NudgeDelivery
    return and_(d.status == "sending", or_(d.next_attempt_at.is_(None), d.next_attempt_at <= now))


class OutboxStore:
    """Reads and state changes of outbox deliveries, for one dispatcher (`holder`)."""

    def __init__(
        self,
        session_factory: SessionFactory,
        library: Library,
        *,
        holder: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._session_factory = session_factory
        self._library = library
        self._holder = holder
        self._clock = clock
        self._plans: dict[int, tuple[str | None, int]] = {}
        self._lock = threading.Lock()

    def fetch(self, condition: Any, *, limit: int) -> tuple[list[Task], dict[str, str]]:
        """Up to `limit` deliveries matching `condition`, oldest due first, and the DM channels
        already known for their recipients."""
        d, r = NudgeDelivery, NudgeRecipient
        with self._session_factory() as session:
            rows = session.execute(
                select(
                    d.id,
                    d.recipient,
                    d.lesson_id,
                    d.step,
                    d.campaign_id,
                    d.status,
                    d.attempts,
                    d.channel,
                    d.sending_at,
                    r.im_channel,
                )
                .outerjoin(r, r.user_id == d.recipient)
                .where(condition)
                .order_by(d.due_at, d.id)
                .limit(limit)
            ).all()
        channels = {row.recipient: row.im_channel for row in rows if row.im_channel}
        tasks = [
            Task(
                id=row.id,
                recipient=row.recipient,
                lesson_id=row.lesson_id,
                step=row.step,
                campaign_id=row.campaign_id,
                status=row.status,
                attempts=row.attempts,
                channel=row.channel,
                sending_at=maybe_aware(row.sending_at),
            )
            for row in rows
        ]
        return tasks, channels

    def mark_missed(self, since: datetime, now: datetime, *, grace: timedelta) -> int:
        """Never-tried deliveries that fell due in [`since`, `now` - `grace`) become `missed`."""
        with self._session_factory() as session, session.begin():
            result = session.execute(
                update(NudgeDelivery)
                .where(
                    NudgeDelivery.status == "pending",
                    NudgeDelivery.attempts == 0,
                    NudgeDelivery.due_at >= since,
                    NudgeDelivery.due_at < now - grace,
                )
                .values(status="missed", error="missed", updated_at=now)
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def claim(self, task: Task, expected: str, channel: str) -> bool:
        """Mark `sending` (committed before the call) unless paused or cancelled meanwhile."""
        d = NudgeDelivery
        now = self._clock()
        with self._session_factory() as session, session.begin():
            result = session.execute(
                update(d)
                .where(
                    d.id == task.id,
                    d.status == expected,
                    exists().where(
                        NudgeCampaign.id == d.campaign_id, NudgeCampaign.status != "cancelled"
                    ),
                    or_(
                        d.lesson_id.like(UNPAUSABLE),
                        ~exists().where(
                            NudgeRecipient.user_id == d.recipient, NudgeRecipient.paused.is_(True)
                        ),
                    ),
                )
                .values(
                    status="sending",
                    attempts=d.attempts + 1,
                    claimed_by=self._holder,
                    sending_at=now,
                    channel=channel,
                    next_attempt_at=None,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            return bool(getattr(result, "rowcount", 0))

    def refusal(self, task: Task) -> tuple[bool, bool]:
        """Why a claim may have been refused: (campaign cancelled, recipient paused)."""
        with self._session_factory() as session:
            cancelled = (
                session.scalar(
                    select(NudgeCampaign.status).where(NudgeCampaign.id == task.campaign_id)
                )
                == "cancelled"
            )
            paused = bool(
                session.scalar(
                    select(NudgeRecipient.paused).where(NudgeRecipient.user_id == task.recipient)
                )
            )
        return cancelled, paused

    def requeue(
        self,
        delivery_id: int,
        expected: str,
        retry_at: datetime,
        *,
        undo_attempt: bool,
        error: str | None = None,
    ) -> None:
        """Back to `pending`, tried again at `retry_at`; `undo_attempt` for calls Slack refused."""
        d = NudgeDelivery
        values: dict[str, Any] = {
            "status": "pending",
            "next_attempt_at": retry_at,
            "updated_at": self._clock(),
            "error": error,
        }
        if undo_attempt:
            values["attempts"] = d.attempts - 1
        with self._session_factory() as session, session.begin():
            session.execute(
                update(d)
                .where(d.id == delivery_id, d.status.in_({expected, "sending"}))
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    def defer_verification(self, delivery_id: int, seconds: float) -> None:
        """Leave a `sending` delivery alone for `seconds` before verifying it."""
        with self._session_factory() as session, session.begin():
            session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.id == delivery_id, NudgeDelivery.status == "sending")
                .values(next_attempt_at=self._clock() + timedelta(seconds=seconds))
                .execution_options(synchronize_session=False)
            )

    def mark_sent(self, delivery_id: int, *, ts: str, channel: str) -> None:
        """A `sending` delivery is in the recipient's DM, as message `ts`."""
        now = self._clock()
        with self._session_factory() as session, session.begin():
            session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.id == delivery_id, NudgeDelivery.status == "sending")
                .values(
                    status="sent",
                    ts=ts or None,
                    channel=channel,
                    sent_at=now,
                    next_attempt_at=None,
                    error=None,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )

    def finish(
        self,
        delivery_id: int,
        status: str,
        *,
        expected: tuple[str, ...],
        error: str | None = None,
    ) -> None:
        """A final status (failed, cancelled, skipped), if the row is still in `expected`."""
        with self._session_factory() as session, session.begin():
            session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.id == delivery_id, NudgeDelivery.status.in_(expected))
                .values(status=status, error=error, next_attempt_at=None, updated_at=self._clock())
                .execution_options(synchronize_session=False)
            )

    def plan(self, campaign_id: int) -> tuple[str | None, int]:
        """The track title (None for a single lesson) and the number of lessons."""
        with self._lock:
            cached = self._plans.get(campaign_id)
        if cached is not None:
            return cached
        with self._session_factory() as session:
            row = session.execute(
                select(NudgeCampaign.track_id, NudgeCampaign.lessons).where(
                    NudgeCampaign.id == campaign_id
                )
            ).first()
        if row is None:
            return None, 1
        track = self._library.track(row.track_id) if row.track_id else None
        title = track.title if track else row.track_id
        found = (title, len(row.lessons or []) or 1)
        with self._lock:
            self._plans[campaign_id] = found
        return found
