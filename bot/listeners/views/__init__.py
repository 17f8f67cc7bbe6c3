"""View submissions."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import ids
from bot.blocks.ids import WONT_FIX_MODAL
from bot.listeners.views import digest, nudges, report


def register(app: App) -> None:
    """Register every modal submission handler."""
    app.view(ids.REPORT_MODAL)(report.handle_report_submission)
    app.view(WONT_FIX_MODAL)(digest.handle_wont_fix)
    app.view(ids.SCHEDULE_MODAL)(nudges.handle_schedule_submission)
    app.view(ids.CONCERN_MODAL)(nudges.handle_concern_submission)
