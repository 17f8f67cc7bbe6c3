"""Block actions (buttons)."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.blocks import ids
from bot.listeners.actions import capture, digest, nudges, pilots, privacy, themes
from bot.listeners.guard import guarded


def register(app: App) -> None:
    """Register every button handler."""
    app.action(ids.OPEN_REPORT)(guarded(capture.handle_open_report))
    app.action(ids.ADD_DETAILS)(guarded(capture.handle_add_details))
    app.action(ids.UNDO)(guarded(capture.handle_undo))
    app.action(ids.FORGET_CONFIRM)(guarded(privacy.handle_forget))
    app.action(ids.DIGEST_SHOW_MORE)(guarded(digest.handle_show_more))
    app.action(ids.THEME_STATUS)(guarded(digest.handle_status))
    app.action(ids.THEME_DETAILS)(guarded(digest.handle_details))
    app.action(ids.SEND_SUGGESTED_LESSON)(guarded(digest.handle_send_suggested_lesson))
    app.action(ids.THEME_RENAME)(guarded(themes.handle_rename))
    app.action(ids.THEME_SPLIT)(guarded(themes.handle_split))
    app.action(ids.THEME_MERGE)(guarded(themes.handle_merge))
    app.action(ids.THEME_LENS)(guarded(themes.handle_lens))
    app.action(ids.THEME_MOVE)(guarded(themes.handle_move))
    for feedback in ids.FEEDBACK_ACTIONS:
        app.action(feedback)(guarded(nudges.handle_feedback))
    app.action(re.compile(rf"^{ids.QUIZ_ACTION_PREFIX}\d+$"))(guarded(nudges.handle_quiz))
    app.action(ids.OPEN_CONCERN)(guarded(nudges.handle_open_concern))
    app.action(ids.PAUSE)(guarded(nudges.handle_pause))
    app.action(ids.RESUME)(guarded(nudges.handle_resume))
    app.action(re.compile(rf"^{ids.FOLLOWUP_PREFIX}"))(guarded(pilots.handle_followup))
    app.action(ids.PILOT_START)(guarded(pilots.handle_start))
    app.action(ids.PILOT_VIEW)(guarded(pilots.handle_view))
    app.action(ids.PILOT_CLOSE)(guarded(pilots.handle_close))
    app.action(ids.PILOT_EDIT)(guarded(pilots.handle_edit))
    app.action(re.compile(rf"^{ids.PULSE_PREFIX}"))(guarded(pilots.handle_pulse_answer))
