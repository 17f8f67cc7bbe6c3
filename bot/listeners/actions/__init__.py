"""Block actions (buttons)."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.blocks import ids
from bot.listeners.actions import capture, digest, nudges
from bot.listeners.guard import guarded


def register(app: App) -> None:
    """Register every button handler."""
    app.action(ids.OPEN_REPORT)(guarded(capture.handle_open_report))
    app.action(ids.ADD_DETAILS)(guarded(capture.handle_add_details))
    app.action(ids.UNDO)(guarded(capture.handle_undo))
    app.action(ids.DIGEST_SHOW_MORE)(guarded(digest.handle_show_more))
    app.action(ids.THEME_STATUS)(guarded(digest.handle_status))
    app.action(ids.THEME_DETAILS)(guarded(digest.handle_details))
    app.action(ids.SEND_SUGGESTED_LESSON)(guarded(digest.handle_send_suggested_lesson))
    for feedback in ids.FEEDBACK_ACTIONS:
        app.action(feedback)(guarded(nudges.handle_feedback))
    app.action(re.compile(rf"^{ids.QUIZ_ACTION_PREFIX}\d+$"))(guarded(nudges.handle_quiz))
    app.action(ids.OPEN_CONCERN)(guarded(nudges.handle_open_concern))
    app.action(ids.PAUSE)(guarded(nudges.handle_pause))
    app.action(ids.RESUME)(guarded(nudges.handle_resume))
