"""A manager's corrections act only on what the details modal showed: a forged click naming a
theme below the minimum-reporter rule, or a report that was never quoted, reveals nothing of
it (no title, no count) and changes nothing."""

from __future__ import annotations

import json

from slack_bolt import App
from sqlalchemy import select

from bot.blocks import ids
from bot.blocks.ids import WONT_FIX_MODAL, WONT_FIX_REASON
from bot.db.models import PainPoint, Theme, ThemeEvent
from bot.db.session import SessionFactory
from tests.bot.listeners.test_theme_corrections import choice_in_modal, in_modal, move_choice
from tests.bot.reporting.factories import add_painpoint, seed_theme
from tests.slack_requests import Sender, drain, response_json, view_submission
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


def test_a_forged_lens_choice_never_counts_a_theme_below_the_minimum(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    hidden = seed_theme(session_factory, "Payroll mistake for Dana", reporters=2)
    value = f"{hidden.theme_id}:data_gap"

    lens = choice_in_modal(ids.THEME_LENS, hidden.theme_id, value, "UMANAGER")
    assert sender.interactive(lens).status == 200
    drain(app)

    told = _told(stand_in)
    assert "2 reports" not in told and "no longer available" in told
    with session_factory() as session:
        assert (
            session.scalars(select(PainPoint.lens).where(PainPoint.lens.is_not(None))).all() == []
        )


def test_a_forged_move_of_a_report_that_was_never_quoted_is_refused(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    shown = seed_theme(session_factory, "VPN drops every hour", reporters=4)
    hidden = seed_theme(session_factory, "Payroll mistake for Dana", reporters=2)
    one_off = add_painpoint(session_factory, text="My manager Dana shouts", reporter="r-lone")

    for report in (one_off, hidden.painpoint_ids[0]):
        assert sender.interactive(move_choice(report, shown.theme_id)).status == 200
    drain(app)

    told = _told(stand_in, 2)
    assert "now in theme" not in told and "already in theme" not in told
    with session_factory() as session:
        assert session.get(PainPoint, one_off).theme_id is None  # type: ignore[union-attr]
        moved = session.get(PainPoint, hidden.painpoint_ids[0])
        assert moved is not None and moved.theme_id == hidden.theme_id
        assert session.scalars(select(ThemeEvent)).all() == []


def test_a_forged_split_or_merge_of_a_theme_below_the_minimum_is_refused(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    shown = seed_theme(session_factory, "VPN drops every hour", reporters=4)
    hidden = seed_theme(session_factory, "Payroll mistake for Dana", reporters=2)
    merge = f"{hidden.theme_id}:{shown.theme_id}"

    assert sender.interactive(in_modal(ids.THEME_SPLIT, str(hidden.theme_id))).status == 200
    drain(app)
    forged = choice_in_modal(ids.THEME_MERGE, hidden.theme_id, merge, "UMANAGER")
    assert sender.interactive(forged).status == 200
    drain(app)

    told = _told(stand_in, 2)
    assert "four embedded reports" not in told and "Merged" not in told
    with session_factory() as session:
        theme = session.get(Theme, hidden.theme_id)
        assert theme is not None and theme.active
        assert session.scalars(select(ThemeEvent)).all() == []


def test_a_wont_fix_form_for_a_theme_below_the_minimum_saves_nothing_and_tells_nobody(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    # The form was opened while the theme passed the rule, or its metadata was forged: its
    # reporters would be sent the title of a theme no digest shows.
    hidden = seed_theme(
        session_factory,
        "Payroll mistake for Dana",
        reporters=["r-dana", "r-kept"],
        keep_posted={"r-kept": "U777"},
    )
    form = {
        "type": "modal",
        "callback_id": WONT_FIX_MODAL,
        "private_metadata": json.dumps({"theme_id": hidden.theme_id}),
    }
    values = {WONT_FIX_REASON: {"value": {"type": "plain_text_input", "value": "No budget"}}}

    answer = response_json(sender.interactive(view_submission(form, values, user="UMANAGER")))
    drain(app)

    assert answer["response_action"] == "update", "acknowledged before the check reads reports"
    [refusal] = stand_in.wait_for("views.update")
    assert refusal.params["view_id"] == "V1"
    assert "no longer available" in json.dumps(refusal.params["view"])
    assert "Payroll" not in json.dumps(answer) + json.dumps(refusal.params)
    assert stand_in.calls_to("chat.postMessage") == []
    with session_factory() as session:
        theme = session.get(Theme, hidden.theme_id)
        assert theme is not None and theme.status == "new"
