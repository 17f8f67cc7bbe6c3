"""Posting to the digest channel: the weekly digest with its chart, and spike alerts.

Everything goes through the gate (pacing, 429s); what is remembered about alerts is written
after Slack has answered, never while a call is in flight inside a transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.blocks.common import notice
from bot.blocks.digest import digest_message, spike_alert
from bot.db.session import SessionFactory
from bot.domain.themes import SliceTooSmall
from bot.domain.time import utc_now
from bot.reporting.charts import themes_over_time_png
from bot.services.alerts import LiveAlert, SpikeAlerts
from bot.services.insights import ThemeInsights
from bot.slack.gate import GateStopped, SlackCallError, SlackGate

logger = logging.getLogger(__name__)
WEEKLY_PERIOD = "30d"
ALERT_GONE = {"message_not_found", "cant_update_message", "channel_not_found", "is_archived"}
POST = "chat.postMessage"


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
        gate: SlackGate | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._insights = insights
        self._client = client
        self._alerts = SpikeAlerts(session_factory, clock=clock)
        self._gate = gate or SlackGate(1.0)
        self.channel = channel
        self._clock = clock

    def _post(self, text: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
        response = self._gate.send(
            POST,
            lambda: self._client.chat_postMessage(channel=self.channel, text=text, blocks=blocks),
        )
        return dict(response.data) if isinstance(response.data, dict) else {}

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
            return str(self._post(text, blocks).get("ts"))
        text, blocks = digest_message(report, controls=False, per_page=10)
        ts = str(self._post(text, blocks).get("ts"))
        if report.themes:
            chart = themes_over_time_png(report.themes, now)
            try:
                self._gate.send(
                    "files.uploadV2",
                    lambda: self._client.files_upload_v2(
                        channel=self.channel,
                        content=chart,
                        filename=f"painpoint-themes-{now:%Y-%m-%d}.png",
                        title="Reports per week, top themes",
                        thread_ts=ts,
                    ),
                )
            except (SlackCallError, GateStopped) as exc:
                logger.warning("digest chart upload failed: %s", exc)
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
            live = self._alerts.live(summary.id)
            if live is not None and self._refresh(summary.id, live, this_week, text, blocks):
                updated.append(summary.id)
                continue
            response = self._post(text, blocks)
            self._alerts.posted(
                summary.id,
                channel=str(response.get("channel") or self.channel),
                ts=str(response.get("ts")),
                reports_this_week=this_week,
            )
            posted.append(summary.id)
        return AlertResult(posted, updated)

    def _refresh(
        self,
        theme_id: int,
        live: LiveAlert,
        this_week: int,
        text: str,
        blocks: list[dict[str, Any]],
    ) -> bool:
        """Refresh a live alert; False when Slack no longer has it, so a new one is posted."""
        if live.reports_this_week == this_week:
            return True
        try:
            self._gate.send(
                "chat.update",
                lambda: self._client.chat_update(
                    channel=live.channel, ts=live.ts, text=text, blocks=blocks
                ),
            )
        except SlackCallError as exc:
            logger.warning("spike alert update failed: %s", exc.failure.error)
            # Other failures are retried at the next run rather than risking a second alert.
            return exc.failure.error not in ALERT_GONE
        self._alerts.updated(theme_id, reports_this_week=this_week)
        return True
