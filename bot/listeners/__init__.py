"""Slack listeners, one folder per surface; each exposes `register(app)`."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, commands, edge, errors, events, scopes, shortcuts, views


def register_listeners(app: App) -> None:
    """Attach the edge middleware, every listener and the error handler to `app`."""
    app.use(edge.normalise_request)
    app.use(edge.refuse_replays)
    app.use(scopes.note_scopes)
    commands.register(app)
    events.register(app)
    actions.register(app)
    views.register(app)
    shortcuts.register(app)
    errors.register(app)
