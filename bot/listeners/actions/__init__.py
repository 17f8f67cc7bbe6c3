"""Block actions (buttons)."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import ids
from bot.listeners.actions import capture


def register(app: App) -> None:
    """Register every button handler."""
    app.action(ids.OPEN_REPORT)(capture.handle_open_report)
    app.action(ids.ADD_DETAILS)(capture.handle_add_details)
    app.action(ids.UNDO)(capture.handle_undo)
