"""Messages to people who asked to be kept posted: what became of their theme."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from bot.blocks.digest import status_notification
from bot.domain.themes import StatusError, StatusOutcome
from bot.services.theme_status import ThemeStatusService
from bot.slack.gate import GateStopped, SlackCallError, SlackGate

logger = logging.getLogger(__name__)


class ReporterNotifier:
    """DMs opted-in reporters through the gate, one message each, never anyone else."""

    def __init__(self, client: WebClient, gate: SlackGate) -> None:
        self._client = client
        self._gate = gate

    def theme_status(self, user_ids: list[str], title: str, status: str, reason: str | None) -> int:
        """Tell each person once that the theme changed; returns how many were reached."""
        text, blocks = status_notification(title, status, reason)
        reached = 0
        for user_id in user_ids:
            try:
                self._gate.send("chat.postMessage", partial(self._post, user_id, text, blocks))
                reached += 1
            except (SlackCallError, GateStopped) as exc:
                logger.warning("could not notify a reporter: %s", exc)
        return reached

    def _post(self, channel: str, text: str, blocks: list[dict[str, Any]]) -> SlackResponse:
        return self._client.chat_postMessage(channel=channel, text=text, blocks=blocks)


def change_theme_status(
    statuses: ThemeStatusService,
    notifier: ReporterNotifier,
    *,
    theme_id: int,
    status: str,
    actor: str,
    reason: str | None = None,
) -> StatusOutcome:
    """Set the status (logged with who and when), then tell the people who asked."""
    try:
        result = statuses.set_status(theme_id=theme_id, status=status, actor=actor, reason=reason)
    except StatusError as exc:
        return StatusOutcome(None, refusal=str(exc))
    if not result.changed:
        return StatusOutcome(result)
    reached = notifier.theme_status(result.notify_user_ids, result.title, status, result.reason)
    return StatusOutcome(result, reached=reached)
