"""What the digest and spike-alert tests share: a fixed clock, the channel, spike data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import ThemeAlert
from bot.db.session import SessionFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CHANNEL = "CDIGEST"
# Weekly reports 1 a week for a month, then 10 this week: a spike.
SPIKE_DAYS = [8, 15, 22, 29] + [1] * 10


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def alerts(session_factory: SessionFactory) -> list[ThemeAlert]:
    """Every spike alert the bot remembers."""
    with session_factory() as session:
        return list(session.scalars(select(ThemeAlert)))
