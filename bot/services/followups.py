"""One-tap follow-ups on a receipt: how often, and hours a week, stored on the report.

Only the reporter can answer for their report: the row must carry their pseudonym. Answers
can come any time later and the latest one counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import PainPoint
from bot.db.session import SessionFactory, writer_lock
from bot.domain.capture import PainPointView
from bot.domain.impact import FOLLOWUP_FREQUENCIES, HOURS_BUCKETS
from bot.services.capture_batch import to_view

KINDS = ("frequency", "hours")


class FollowupService:
    """Records a reporter's follow-up answers on their own reports."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        pseudonym: Callable[[str, str], str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self._pseudonym = pseudonym
        self._clock = clock

    def answer(
        self, *, team_id: str, user_id: str, painpoint_id: int, kind: str, choice: str
    ) -> PainPointView | None:
        """Store the answer; None when the report is not this person's (or the choice is odd)."""
        if kind == "frequency" and choice in FOLLOWUP_FREQUENCIES:
            values: dict[str, object] = {"frequency": choice}
        elif kind == "hours" and choice in HOURS_BUCKETS:
            values = {"hours_per_week": HOURS_BUCKETS[choice][1]}
        else:
            return None
        reporter = self._pseudonym(team_id, user_id)
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            row = session.scalar(
                select(PainPoint).where(
                    PainPoint.id == painpoint_id, PainPoint.reporter == reporter
                )
            )
            if row is None:
                return None
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = self._clock()
            session.flush()
            return to_view(row)
