"""Slash commands."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.roles import Role
from bot.listeners.commands import digest, nudge, painpoint


def register(app: App) -> None:
    """Register every slash command."""
    app.command("/painpoint")(painpoint.handle_painpoint)
    app.command("/nudge")(nudge.handle_nudge)
    painpoint.ROLE_COMMANDS["digest"] = (Role.MANAGER, digest.handle_digest)
    painpoint.ROLE_COMMANDS["report"] = (Role.MANAGER, digest.handle_report)
