"""A manager's corrections act only on what the details modal showed: a forged click naming a
theme below the minimum-reporter rule, or a report that was never quoted, reveals nothing of
it (no title, no count) and changes nothing."""

from __future__ import annotations

import json

from slack_bolt import App

from bot.blocks import ids
from bot.db.session import SessionFactory
from tests.bot.listeners.test_theme_corrections import in_modal
from tests.bot.reporting.factories import seed_theme
from tests.slack_requests import Sender, drain
from tests.slack_stand_in import SlackStandIn


def _told(stand_in: SlackStandIn, count: int = 1) -> str:
    return json.dumps([call.params["view"] for call in stand_in.wait_for("views.push", count)])


def test_a_forged_rename_click_never_shows_the_title_of_a_theme_below_the_minimum(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    hidden = seed_theme(session_factory, "Payroll mistake for Dana", reporters=2)

    assert sender.interactive(in_modal(ids.THEME_RENAME, str(hidden.theme_id))).status == 200
    drain(app)

    told = _told(stand_in)
    assert "Payroll mistake" not in told
    assert "no longer available" in told
