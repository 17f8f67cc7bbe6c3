"""Block actions (buttons)."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.blocks import digest as digest_blocks
from bot.blocks import ids
from bot.blocks import nudges as nudge_blocks
from bot.listeners.actions import capture, digest, nudges


def register(app: App) -> None:
    """Register every button handler."""
    app.action(ids.OPEN_REPORT)(capture.handle_open_report)
    app.action(ids.ADD_DETAILS)(capture.handle_add_details)
    app.action(ids.UNDO)(capture.handle_undo)
    app.action(digest_blocks.DIGEST_SHOW_MORE)(digest.handle_show_more)
    app.action(digest_blocks.THEME_STATUS)(digest.handle_status)
    app.action(digest_blocks.THEME_DETAILS)(digest.handle_details)
    app.action(digest_blocks.SEND_SUGGESTED_LESSON)(digest.handle_send_suggested_lesson)
    for feedback in nudge_blocks.FEEDBACK_ACTIONS:
        app.action(feedback)(nudges.handle_feedback)
    app.action(re.compile(rf"^{nudge_blocks.QUIZ_ACTION_PREFIX}\d+$"))(nudges.handle_quiz)
    app.action(nudge_blocks.OPEN_CONCERN)(nudges.handle_open_concern)
    app.action(nudge_blocks.PAUSE)(nudges.handle_pause)
    app.action(nudge_blocks.RESUME)(nudges.handle_resume)
