"""Spike alerts' memory: which theme has a live alert, where, for how many reports, and
which reports it quotes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.db.models import PainPoint, ThemeAlert
from bot.db.session import SessionFactory
from bot.domain.time import aware, utc_now

SAME_SPIKE_WITHIN = timedelta(days=14)


@dataclass(frozen=True)
class LiveAlert:
    """An alert recent enough that the same spike updates it instead of posting again."""

    theme_id: int
    channel: str
    ts: str
    reports_this_week: int
    # None: posted before alerts remembered their quotes.
    quoted_ids: tuple[int, ...] | None


class SpikeAlerts:
    """Reads and records spike alerts; the Slack calls happen outside these transactions."""

    def __init__(
        self, session_factory: SessionFactory, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def all_live(self) -> list[LiveAlert]:
        """Every alert posted within the last two weeks."""
        since = self._clock() - SAME_SPIKE_WITHIN
        with self._session_factory() as session:
            rows = session.scalars(select(ThemeAlert).order_by(ThemeAlert.id)).all()
            return [
                LiveAlert(
                    alert.theme_id,
                    alert.channel,
                    alert.ts,
                    alert.reports_this_week,
                    None if alert.quoted_ids is None else tuple(alert.quoted_ids),
                )
                for alert in rows
                if alert.posted_at is not None and aware(alert.posted_at) >= since
            ]

    def gone(self, report_ids: Iterable[int]) -> set[int]:
        """Those of the reports that may no longer be quoted: deleted, erased or text removed."""
        wanted = set(report_ids)
        if not wanted:
            return set()
        with self._session_factory() as session:
            present = session.scalars(
                select(PainPoint.id).where(
                    PainPoint.id.in_(wanted),
                    PainPoint.text_removed_at.is_(None),
                    PainPoint.pending_scrub.is_(False),
                )
            ).all()
        return wanted - set(present)

    def withdrawn(self, theme_id: int) -> None:
        """Forget the theme's alert: its message no longer shows the theme."""
        with self._session_factory() as session, session.begin():
            alert = session.scalars(
                select(ThemeAlert).where(ThemeAlert.theme_id == theme_id)
            ).first()
            if alert is not None:
                session.delete(alert)

    def posted(
        self,
        theme_id: int,
        *,
        channel: str,
        ts: str,
        reports_this_week: int,
        quoted_ids: Sequence[int] = (),
    ) -> None:
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
            alert.quoted_ids = list(quoted_ids)
            alert.posted_at = now
            alert.updated_at = now

    def updated(
        self, theme_id: int, *, reports_this_week: int, quoted_ids: Sequence[int] = ()
    ) -> None:
        """Remember that the live alert now shows `reports_this_week` and these quotes."""
        with self._session_factory() as session, session.begin():
            alert = session.scalars(
                select(ThemeAlert).where(ThemeAlert.theme_id == theme_id)
            ).first()
            if alert is not None:
                alert.reports_this_week = reports_this_week
                alert.quoted_ids = list(quoted_ids)
                alert.updated_at = self._clock()
