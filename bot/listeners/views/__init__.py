"""View submissions."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import ids
from bot.listeners.views import report


def register(app: App) -> None:
    """Register every modal submission handler."""
    app.view(ids.REPORT_MODAL)(report.handle_report_submission)
