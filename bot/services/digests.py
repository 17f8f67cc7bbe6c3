"""Posting to the digest channel: the weekly digest with its chart, and spike alerts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.blocks.common import notice
from bot.blocks.digest import digest_message, spike_alert
from bot.db.models import ThemeAlert
from bot.db.session import SessionFactory
from bot.domain.themes import SliceTooSmall
from bot.reporting.charts import themes_over_time_png
from bot.services.insights import ThemeInsights

logger = logging.getLogger(__name__)
WEEKLY_PERIOD = "30d"
SAME_SPIKE_WITHIN = timedelta(days=14)
ALERT_GONE = {"message_not_found", "cant_update_message", "channel_not_found", "is_archived"}


@dataclass(frozen=True)
class AlertResult:
    """Which themes got a new alert and which had theirs updated."""

    posted: list[int]
    updated: list[int]


class DigestPublisher:
    """Posts digests and alerts to one channel, always through the k rule in ThemeInsights."""

    def __init__(
        self,
        insights: ThemeInsights,
        client: WebClient,
        session_factory: SessionFactory,
        *,
        channel: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._insights = insights
        self._client = client
        self._session_factory = session_factory
        self.channel = channel
        self._clock = clock

    def post_weekly_digest(self) -> str | None:
        """Post the digest, then the chart; a failed upload never stops the text. Returns ts."""
        now = self._clock()
        try:
            report = self._insights.report(period=WEEKLY_PERIOD, now=now)
        except SliceTooSmall:
            text, blocks = notice(
                "Weekly digest: too few people reported anything in the last 30 days to show "
                "themes without singling someone out."
            )
            response = self._client.chat_postMessage(channel=self.channel, text=text, blocks=blocks)
            return str(response.get("ts"))
        text, blocks = digest_message(report, controls=False, per_page=10)
        response = self._client.chat_postMessage(channel=self.channel, text=text, blocks=blocks)
        ts = str(response.get("ts"))
        if report.themes:
            try:
                self._client.files_upload_v2(
                    channel=self.channel,
                    content=themes_over_time_png(report.themes, now),
                    filename=f"painpoint-themes-{now:%Y-%m-%d}.png",
                    title="Reports per week, top themes",
                    thread_ts=ts,
                )
            except SlackApiError as exc:
                logger.warning("digest chart upload failed: %s", exc.response.get("error"))
        return ts

    def post_spike_alerts(self) -> AlertResult:
        """One alert per spiking theme; the same spike again updates its alert in place."""
        now = self._clock()
        try:
            report = self._insights.report(period="90d", now=now)
        except SliceTooSmall:
            return AlertResult([], [])
        posted: list[int] = []
        updated: list[int] = []
        for summary in report.themes:
            if not summary.spike:
                continue
            text, blocks = spike_alert(summary, report.min_reporters)
            this_week = summary.weekly_counts[-1] if summary.weekly_counts else 0
            with self._session_factory() as session, session.begin():
                alert = session.scalars(
                    select(ThemeAlert).where(ThemeAlert.theme_id == summary.id)
                ).first()
                posted_at = alert.posted_at if alert else None
                if posted_at is not None and posted_at.tzinfo is None:
                    posted_at = posted_at.replace(tzinfo=UTC)
                if (
                    alert is not None
                    and posted_at is not None
                    and now - posted_at <= SAME_SPIKE_WITHIN
                    and self._update(alert, this_week, now, text, blocks)
                ):
                    updated.append(summary.id)
                    continue
                response = self._client.chat_postMessage(
                    channel=self.channel, text=text, blocks=blocks
                )
                if alert is None:
                    alert = ThemeAlert(theme_id=summary.id, channel=self.channel, ts="")
                    session.add(alert)
                alert.channel = str(response.get("channel") or self.channel)
                alert.ts = str(response.get("ts"))
                alert.reports_this_week = this_week
                alert.posted_at = now
                alert.updated_at = now
                posted.append(summary.id)
        return AlertResult(posted, updated)

    def _update(
        self,
        alert: ThemeAlert,
        this_week: int,
        now: datetime,
        text: str,
        blocks: list[dict[str, Any]],
    ) -> bool:
        """Refresh a live alert; False when Slack no longer has it, so a new one is posted."""
        if alert.reports_this_week == this_week:
            return True
        try:
            self._client.chat_update(channel=alert.channel, ts=alert.ts, text=text, blocks=blocks)
        except SlackApiError as exc:
            error = exc.response.get("error")
            logger.warning("spike alert update failed: %s", error)
            # Other failures are retried at the next run rather than risking a second alert.
            return error not in ALERT_GONE
        alert.reports_this_week = this_week
        alert.updated_at = now
        return True
