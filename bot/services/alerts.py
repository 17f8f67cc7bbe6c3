"""Spike alerts' memory: which theme has a live alert, where, and for how many reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.db.models import ThemeAlert
from bot.db.session import SessionFactory
from bot.domain.time import aware, utc_now

SAME_SPIKE_WITHIN = timedelta(days=14)


@dataclass(frozen=True)
class LiveAlert:
    """An alert recent enough that the same spike updates it instead of posting again."""

    channel: str
    ts: str
    reports_this_week: int


class SpikeAlerts:
    """Reads and records spike alerts; the Slack calls happen outside these transactions."""

    def __init__(
        self, session_factory: SessionFactory, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def live(self, theme_id: int) -> LiveAlert | None:
        """The theme's alert if it was posted within the last two weeks."""
        with self._session_factory() as session:
            alert = session.scalars(
                select(ThemeAlert).where(ThemeAlert.theme_id == theme_id)
            ).first()
            if alert is None or alert.posted_at is None:
                return None
            if self._clock() - aware(alert.posted_at) > SAME_SPIKE_WITHIN:
                return None
            return LiveAlert(alert.channel, alert.ts, alert.reports_this_week)

    def posted(self, theme_id: int, *, channel: str, ts: str, reports_this_week: int) -> None:
        """Remember a newly posted alert (replacing any older one of the theme)."""
        now = self._clock()
        with self._session_factory() as session, session.begin():
            alert = session.scalars(
                select(ThemeAlert).where(ThemeAlert.theme_id == theme_id)
            ).first()
            if alert is None:
                alert = ThemeAlert(theme_id=theme_id, channel=channel, ts=ts)
                session.add(alert)
            alert.channel = channel
            alert.ts = ts
            alert.reports_this_week = reports_this_week
            alert.posted_at = now
            alert.updated_at = now

    def updated(self, theme_id: int, *, reports_this_week: int) -> None:
        """Remember that the live alert now shows `reports_this_week`."""
        with self._session_factory() as session, session.begin():
            alert = session.scalars(
                select(ThemeAlert).where(ThemeAlert.theme_id == theme_id)
            ).first()
            if alert is not None:
                alert.reports_this_week = reports_this_week
                alert.updated_at = self._clock()
