"""A pilot's DMs as the outbox sends them (start, weekly pulse, close) and pulse answers.

A pulse is a delivery in the nudge outbox, so it inherits exactly-once sending; its answer is
stored once per delivery (the latest tap wins) under the participant's keyed pseudonym.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.nudge_models import NudgeDelivery
from bot.db.pilot_models import Pilot, PilotPulseAnswer
from bot.db.session import SessionFactory, writer_lock
from bot.db.upsert import upsert
from bot.domain.impact import PULSE_BUCKETS
from bot.domain.kpis import monday
from bot.domain.pilots import PilotView, outbox_kind
from bot.domain.time import aware
from bot.privacy.pseudonym import reporter_pseudonym
from bot.services.pilot_kpis import pilot_views


@dataclass(frozen=True)
class PilotMessage:
    """What one pilot DM says: its kind, the pilot, and the recipient's pulse answer."""

    kind: str  # pulse | pilot-start | pilot-close
    delivery_id: int
    pilot: PilotView
    answer: str | None = None  # a PULSE_BUCKETS key
    channel: str | None = None
    ts: str | None = None
    changed: bool = True
    campaign_id: int | None = None


class PilotClosed(Exception):
    """A pulse of a pilot that has closed: its result is final, so answers no longer count."""


class PulseService:
    """Pilot DMs for the dispatcher, and participants' answers to pulses."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        secret_key: str | None,
        min_reporters: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self._secret_key = secret_key
        self.min_reporters = min_reporters
        self._clock = clock
        # The dispatcher renders thousands of pulses of one pilot in a row: read it once
        # per pass. Cancellation is checked by the dispatcher's claim, not here.
        self._cache: dict[int, tuple[float, PilotView]] = {}
        self._lock = threading.Lock()

    def _pilot(self, pilot_id: int, *, fresh: bool = False) -> PilotView | None:
        now = self._clock().timestamp()
        with self._lock:
            cached = self._cache.get(pilot_id)
        if cached is not None and not fresh and now - cached[0] < 60:
            return cached[1]
        with self._session_factory() as session:
            pilot = session.get(Pilot, pilot_id)
            if pilot is None:
                return None
            [view] = pilot_views(
                session, [pilot], min_reporters=self.min_reporters, today=self._clock().date()
            )
        with self._lock:
            self._cache[pilot_id] = (now, view)
        return view

    def message(self, delivery_id: int, lesson_id: str) -> PilotMessage | None:
        """The DM for an outbox delivery of a pilot (None: not a pilot message, or gone)."""
        found = outbox_kind(lesson_id)
        if found is None:
            return None
        kind, pilot_id = found
        pilot = self._pilot(pilot_id, fresh=kind == "pilot-close")
        return None if pilot is None else PilotMessage(kind, delivery_id, pilot)

    def answer(
        self, *, team_id: str, user_id: str, delivery_id: int, bucket: str
    ) -> PilotMessage | None:
        """Record the recipient's own answer to a pulse sent to them (None otherwise).

        Raises PilotClosed when the pilot has closed: its verdict was taken on the answers
        it had, and a later answer would change the result it was closed on.
        """
        if bucket not in PULSE_BUCKETS:
            return None
        if self._secret_key is None:
            raise RuntimeError("pulse answers need PAINPOINT_SECRET_KEY (respondent pseudonyms)")
        with self._session_factory() as session:
            asked = _asked_pulse(session, delivery_id, user_id)
        if asked is None:
            return None
        row, pilot_id = asked
        hours = PULSE_BUCKETS[bucket][1]
        now = self._clock()
        values = {
            "delivery_id": delivery_id,
            "pilot_id": pilot_id,
            "respondent": reporter_pseudonym(self._secret_key, team_id, user_id),
            "hours": hours,
            "week": monday(aware(row.due_at).date()),
            "answered_at": now,
        }
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            upsert(
                session,
                PilotPulseAnswer.__table__,  # type: ignore[arg-type]
                [values],
                key=["delivery_id"],
                update=["hours", "answered_at"],
            )
        pilot = self._pilot(pilot_id)
        if pilot is None:
            return None
        message = PilotMessage("pulse", delivery_id, pilot, bucket, row.channel, row.ts)
        return replace(message, changed=row.hours != hours, campaign_id=row.campaign_id)


def _asked_pulse(session: Session, delivery_id: int, user_id: str) -> tuple[Any, int] | None:
    """The delivery row of a pulse that asked `user_id`, and its pilot (None if none)."""
    row = session.execute(
        select(
            NudgeDelivery.lesson_id,
            NudgeDelivery.due_at,
            NudgeDelivery.channel,
            NudgeDelivery.ts,
            NudgeDelivery.campaign_id,
            PilotPulseAnswer.hours,
        )
        .outerjoin(PilotPulseAnswer, PilotPulseAnswer.delivery_id == NudgeDelivery.id)
        # Only a pulse that reached its recipient: a skipped (paused), cancelled or failed
        # one was never asked, so a tap on it (forged) must not count. One still "sending"
        # was posted if its button was tapped (a crash can come between Slack's answer and
        # the row's update).
        .where(
            NudgeDelivery.id == delivery_id,
            NudgeDelivery.recipient == user_id,
            NudgeDelivery.status.in_(("sent", "sending")),
        )
    ).first()
    found = outbox_kind(row.lesson_id) if row is not None else None
    if row is None or found is None or found[0] != "pulse":
        return None
    if session.scalar(select(Pilot.status).where(Pilot.id == found[1])) == "closed":
        raise PilotClosed(f"pilot #{found[1]} has closed")
    return row, found[1]
