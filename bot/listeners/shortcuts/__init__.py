"""Global and message shortcuts."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import ids
from bot.listeners.guard import guarded
from bot.listeners.shortcuts import log_painpoint


def register(app: App) -> None:
    """Register every shortcut."""
    app.shortcut({"callback_id": ids.LOG_SHORTCUT, "type": "message_action"})(
        guarded(log_painpoint.handle_log_painpoint)
    )
