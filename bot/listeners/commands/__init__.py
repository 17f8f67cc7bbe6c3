"""Slash commands."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.commands import painpoint


def register(app: App) -> None:
    """Register every slash command."""
    app.command("/painpoint")(painpoint.handle_painpoint)
