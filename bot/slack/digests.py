"""Posting to the digest channel: the weekly digest with its chart, and spike alerts.

Everything goes through the gate (pacing, 429s); what is remembered about alerts is written
after Slack has answered, never while a call is in flight inside a transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.blocks.common import notice
from bot.blocks.digest import ALERT_QUOTES, digest_message, spike_alert
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
WITHDRAWN = "This spike alert was withdrawn: what it showed may no longer be shown."


@dataclass(frozen=True)
class AlertResult:
    """Which themes got a new alert, which had theirs updated, and which had it withdrawn."""

    posted: list[int]
    updated: list[int]
    withdrawn: list[int] = field(default_factory=list)


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
        """One alert per spiking theme; the same spike again updates its alert in place.

        An alert never goes on showing what may no longer be shown: when its theme falls
        below the minimum-reporter rule or a report it quotes is deleted or erased, it is
        redone while the theme still spikes, and withdrawn otherwise.
        """
        now = self._clock()
        try:
            themes = self._insights.report(period="90d", now=now).themes
        except SliceTooSmall:
            themes = []
        live = {alert.theme_id: alert for alert in self._alerts.all_live()}
        spiking = [summary for summary in themes if summary.spike]
        posted: list[int] = []
        updated: list[int] = []
        for summary in spiking:
            text, blocks = spike_alert(summary, self._insights.min_reporters)
            this_week = summary.weekly_counts[-1] if summary.weekly_counts else 0
            quoted = [q for q in summary.quote_ids[:ALERT_QUOTES] if q is not None]
            alert = live.get(summary.id)
            if alert is not None and self._refresh(alert, this_week, quoted, text, blocks):
                updated.append(summary.id)
                continue
            response = self._post(text, blocks)
            self._alerts.posted(
                summary.id,
                channel=str(response.get("channel") or self.channel),
                ts=str(response.get("ts")),
                reports_this_week=this_week,
                quoted_ids=quoted,
            )
            posted.append(summary.id)
        redone = {summary.id for summary in spiking}
        shown = {summary.id for summary in themes}
        stale = [
            alert
            for alert in live.values()
            if alert.theme_id not in redone and not self._may_stay(alert, shown)
        ]
        return AlertResult(posted, updated, self._withdraw(stale))

    def _may_stay(self, alert: LiveAlert, shown: set[int]) -> bool:
        """Whether an alert of a spike that is over still shows only what may be shown."""
        if alert.theme_id not in shown or alert.quoted_ids is None:
            return False
        return not self._alerts.gone(alert.quoted_ids)

    def _withdraw(self, alerts: list[LiveAlert]) -> list[int]:
        """Replace each alert's message by one line; a failure is retried at the next run."""
        text, blocks = notice(WITHDRAWN)
        withdrawn: list[int] = []
        for alert in alerts:
            if self._edit(alert, text, blocks) != "failed":
                self._alerts.withdrawn(alert.theme_id)
                withdrawn.append(alert.theme_id)
        return withdrawn

    def _refresh(
        self,
        alert: LiveAlert,
        this_week: int,
        quoted: list[int],
        text: str,
        blocks: list[dict[str, Any]],
    ) -> bool:
        """Refresh a live alert; False when Slack no longer has it, so a new one is posted."""
        if alert.reports_this_week == this_week and alert.quoted_ids == tuple(quoted):
            return True
        outcome = self._edit(alert, text, blocks)
        if outcome == "edited":
            self._alerts.updated(alert.theme_id, reports_this_week=this_week, quoted_ids=quoted)
        # A failure other than "gone" is retried at the next run rather than risking a second
        # alert.
        return outcome != "gone"

    def _edit(self, alert: LiveAlert, text: str, blocks: list[dict[str, Any]]) -> str:
        """Edit the alert's message: "edited", "gone" (Slack no longer has it) or "failed"."""
        try:
            self._gate.send(
                "chat.update",
                lambda: self._client.chat_update(
                    channel=alert.channel, ts=alert.ts, text=text, blocks=blocks
                ),
            )
        except SlackCallError as exc:
            logger.warning("spike alert update failed: %s", exc.failure.error)
            return "gone" if exc.failure.error in ALERT_GONE else "failed"
        return "edited"
