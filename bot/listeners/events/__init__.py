"""Events API listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.events import app_home, messages


def register(app: App) -> None:
    """Register every event listener."""
    app.event("app_home_opened")(app_home.handle_app_home_opened)
    app.event("message")(messages.handle_message)
