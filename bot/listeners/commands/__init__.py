"""Slash commands: `/painpoint` (its sub-commands are the table in `painpoint.SUBCOMMANDS`)
and `/nudge`."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.commands import nudge, painpoint
from bot.listeners.commands.parse import PAINPOINT_COMMAND
from bot.listeners.guard import guarded


def register(app: App) -> None:
    """Register every slash command."""
    app.command(PAINPOINT_COMMAND)(guarded(painpoint.handle_painpoint))
    app.command("/nudge")(guarded(nudge.handle_nudge))
