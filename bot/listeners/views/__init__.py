"""View submissions."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import ids
from bot.listeners.guard import guarded
from bot.listeners.views import digest, nudges, pilots, report, themes


def register(app: App) -> None:
    """Register every modal submission handler."""
    app.view(ids.REPORT_MODAL)(guarded(report.handle_report_submission))
    app.view(ids.WONT_FIX_MODAL)(guarded(digest.handle_wont_fix))
    app.view(ids.SCHEDULE_MODAL)(guarded(nudges.handle_schedule_submission))
    app.view(ids.CONCERN_MODAL)(guarded(nudges.handle_concern_submission))
    app.view(ids.PILOT_MODAL)(guarded(pilots.handle_pilot_submission))
    app.view(ids.PILOT_CLOSE_MODAL)(guarded(pilots.handle_close_submission))
    app.view(ids.PILOT_EDIT_MODAL)(guarded(pilots.handle_edit_submission))
    app.view(ids.THEME_RENAME_MODAL)(guarded(themes.handle_rename_submission))
