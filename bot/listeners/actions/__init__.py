"""Block actions (buttons)."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.blocks import ids
from bot.listeners.actions import capture, digest, nudges


def register(app: App) -> None:
    """Register every button handler."""
    app.action(ids.OPEN_REPORT)(capture.handle_open_report)
    app.action(ids.ADD_DETAILS)(capture.handle_add_details)
    app.action(ids.UNDO)(capture.handle_undo)
    app.action(ids.DIGEST_SHOW_MORE)(digest.handle_show_more)
    app.action(ids.THEME_STATUS)(digest.handle_status)
    app.action(ids.THEME_DETAILS)(digest.handle_details)
    app.action(ids.SEND_SUGGESTED_LESSON)(digest.handle_send_suggested_lesson)
    for feedback in ids.FEEDBACK_ACTIONS:
        app.action(feedback)(nudges.handle_feedback)
    app.action(re.compile(rf"^{ids.QUIZ_ACTION_PREFIX}\d+$"))(nudges.handle_quiz)
    app.action(ids.OPEN_CONCERN)(nudges.handle_open_concern)
    app.action(ids.PAUSE)(nudges.handle_pause)
    app.action(ids.RESUME)(nudges.handle_resume)
