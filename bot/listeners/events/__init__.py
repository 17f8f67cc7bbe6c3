"""Events API listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.events import app_home, messages
from bot.listeners.guard import guarded


def register(app: App) -> None:
    """Register every event listener (a person's DM is stored before Slack's 200)."""
    app.use(messages.capture_direct_message)
    app.event("app_home_opened")(guarded(app_home.handle_app_home_opened))
    app.event("message")(guarded(messages.handle_message))
