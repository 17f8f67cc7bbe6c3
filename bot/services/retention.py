"""Retention (PAINPOINT_RETENTION_DAYS): the text of older reports and concerns is removed,
what they count for is kept.

A report older than the retention period loses its text, details, anything still sealed, its
text fingerprint (a plain hash of a short text can be confirmed by guessing) and its vector
(an embedding can be turned back into words); it keeps its reporter pseudonym, theme, lens,
frequency, hours, team and dates, so every count, trend and impact estimate stays as it was.
The re-clustering leaves such rows in their theme (see bot.services.themes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.db.models import PainPoint
from bot.db.nudge_models import Concern
from bot.db.session import SessionFactory, writer_lock
from bot.domain.privacy import RetentionReport
from bot.domain.time import maybe_aware

logger = logging.getLogger(__name__)
# Stands in for the fingerprint: not a hash of anything, so it matches no new report.
REMOVED = "removed"


class RetentionService:
    """Removes the text of reports and concerns older than `days`."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        days: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if days < 1:
            raise ValueError("retention needs at least one day")
        self._session_factory = session_factory
        self.days = days
        self._clock = clock

    def cutoff(self, now: datetime | None = None) -> datetime:
        """Reports created before this instant lose their text."""
        return (now or self._clock()) - timedelta(days=self.days)

    def apply(self, now: datetime | None = None) -> RetentionReport:
        """One pass: remove the text of everything older than the period (idempotent)."""
        now = now or self._clock()
        cutoff = self.cutoff(now)
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            painpoints = session.execute(
                update(PainPoint)
                .where(PainPoint.created_at < cutoff, PainPoint.text_removed_at.is_(None))
                .values(
                    text="",
                    details=None,
                    sealed=None,
                    pending_scrub=False,
                    text_hash=REMOVED,
                    embedding=None,
                    embedding_model=None,
                    # Replies in the old DM thread start a new report instead of adding here.
                    thread_ts=None,
                    text_removed_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            concerns = session.execute(
                update(Concern)
                .where(Concern.created_at < cutoff, Concern.text_removed_at.is_(None))
                .values(
                    text="",
                    sealed=None,
                    pending_scrub=False,
                    text_hash=REMOVED,
                    embedding=None,
                    embedding_model=None,
                    text_removed_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        report = RetentionReport(
            cutoff=cutoff,
            painpoints=int(getattr(painpoints, "rowcount", 0) or 0),
            concerns=int(getattr(concerns, "rowcount", 0) or 0),
        )
        if report.painpoints or report.concerns:
            logger.info(
                "retention: removed the text of %d reports and %d concerns older than %d days",
                report.painpoints,
                report.concerns,
                self.days,
            )
        return report


def text_removed_until(session_factory: SessionFactory) -> datetime | None:
    """The creation time of the newest report whose text was removed (None: none was)."""
    with session_factory() as session:
        newest = session.scalar(
            select(func.max(PainPoint.created_at)).where(PainPoint.text_removed_at.is_not(None))
        )
    return maybe_aware(newest)
