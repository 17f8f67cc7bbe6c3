"""The "Log as pain point" message shortcut: open the form prefilled with the message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks import capture as blocks
from bot.listeners.context import deps_of


def handle_log_painpoint(
    ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Prefill the report form; the reporter is whoever used the shortcut."""
    ack()
    deps = deps_of(context)
    text = str((shortcut.get("message") or {}).get("text") or "")
    notice = None
    if not text.strip():
        notice = "That message has no text to copy — describe the problem in your own words."
    elif len(text) > blocks.MODAL_TEXT_LIMIT:
        notice = (
            f"The message is longer than {blocks.MODAL_TEXT_LIMIT:,} characters, so only its "
            "beginning is copied below."
        )
    client.views_open(
        trigger_id=shortcut["trigger_id"],
        view=blocks.report_modal(
            text=text,
            teams=deps.settings.teams,
            metadata={"source": "shortcut"},
            notice=notice,
            wording=deps.wording,
        ),
    )
