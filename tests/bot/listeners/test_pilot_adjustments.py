"""Through Slack: the owner adjusts a pilot's baselines and targets; a manager sets a theme's
audit lens from its details. Anyone else is refused and nothing changes."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App
from sqlalchemy import select

from bot.blocks import ids
from bot.blocks.pilots import BASELINE, TARGET, block_id
from bot.db.models import PainPoint
from bot.db.session import SessionFactory
from bot.services.pilots import PilotService
from tests.bot.listeners.test_pilots import (
    click,
    history,
    last_view,
    number,
    pilot_id_of,
    start_pilot,
)
from tests.bot.listeners.test_theme_corrections import choice_in_modal
from tests.bot.reporting.checks import assert_valid_view
from tests.bot.reporting.factories import seed_theme
from tests.slack_requests import Sender, drain, response_json, view_submission
from tests.slack_stand_in import SlackStandIn


def kpi_block(position: int, part: str) -> str:
    return block_id(f"{ids.B_PILOT_KPI}{position}", part)


def adjustment_form(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, user: str
) -> tuple[int, dict[str, Any]]:
    """A running pilot's id, and its adjustment form as `user` opened it."""
    theme = history(session_factory)
    start_pilot(sender, stand_in, theme.theme_id)
    pilot_id = pilot_id_of(session_factory)
    click(sender, stand_in, ids.PILOT_EDIT, str(pilot_id), user)
    return pilot_id, last_view(stand_in)


def first_target(session_factory: SessionFactory, pilot_id: int) -> float | None:
    pilot = PilotService(session_factory, min_reporters=3).get(pilot_id)
    assert pilot is not None
    return pilot.kpis[0].target


def test_the_owner_adjusts_baselines_and_targets(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    pilot_id, form = adjustment_form(sender, stand_in, session_factory, "UOWNER")
    assert form["callback_id"] == ids.PILOT_EDIT_MODAL
    assert_valid_view(form)
    # The form shows what is set: the reports baseline was typed in the start form (2.0).
    initial = {
        block["block_id"]: block["element"].get("initial_value")
        for block in form["blocks"]
        if block["type"] == "input"
    }
    assert initial[kpi_block(0, BASELINE)] == "2"
    assert initial[kpi_block(0, TARGET)] == "0.5"
    values = {
        kpi_block(0, BASELINE): number(None),  # back to the theme's history
        kpi_block(0, TARGET): number(1.0),
        kpi_block(1, BASELINE): number(4.0),
        kpi_block(1, TARGET): number(1.0),
        kpi_block(2, BASELINE): number(6.0),
        kpi_block(2, TARGET): number(2.0),
    }

    answer = response_json(sender.interactive(view_submission(form, values, user="UOWNER")))

    assert answer["response_action"] == "update", answer
    pilot = PilotService(session_factory, min_reporters=3).get(pilot_id)
    assert pilot is not None
    reports, hours, custom = pilot.kpis
    assert (reports.baseline_note, reports.target) == ("from the theme's history", 1.0)
    assert (hours.baseline, hours.baseline_note) == (4.0, "set by hand")
    assert (custom.baseline, custom.target) == (6.0, 2.0)


def test_a_stranger_cannot_submit_the_adjustment_form(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    pilot_id, form = adjustment_form(sender, stand_in, session_factory, "UOWNER")

    answer = response_json(
        sender.interactive(
            view_submission(form, {kpi_block(0, TARGET): number(99.0)}, user="USTRANGER")
        )
    )

    assert "Only managers and the pilot's owner" in json.dumps(answer["errors"])
    assert first_target(session_factory, pilot_id) == 0.5


def test_a_bad_number_stays_in_the_form(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    _, form = adjustment_form(sender, stand_in, session_factory, "UMANAGER")
    values = {kpi_block(1, TARGET): {"value": {"type": "number_input", "value": "lots"}}}

    answer = response_json(sender.interactive(view_submission(form, values, user="UMANAGER")))

    assert answer["errors"] == {kpi_block(1, TARGET): "Enter a number."}


def lens_choice(theme_id: int, lens: str, user: str) -> dict[str, Any]:
    return choice_in_modal(ids.THEME_LENS, theme_id, f"{theme_id}:{lens}", user)


def lenses(session_factory: SessionFactory, theme_id: int) -> set[tuple[str | None, str | None]]:
    with session_factory() as session:
        rows = session.execute(
            select(PainPoint.lens, PainPoint.lens_source).where(PainPoint.theme_id == theme_id)
        ).all()
    return {(lens, source) for lens, source in rows}


def test_a_manager_sets_a_themes_lens_and_anyone_else_is_refused(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    theme = seed_theme(session_factory, "Invoices are typed in by hand", reporters=4)
    before = lenses(session_factory, theme.theme_id)

    assert sender.interactive(lens_choice(theme.theme_id, "data_gap", "U100")).status == 200
    drain(app)
    assert lenses(session_factory, theme.theme_id) == before
    assert sender.interactive(lens_choice(theme.theme_id, "nonsense", "UMANAGER")).status == 200
    drain(app)
    assert lenses(session_factory, theme.theme_id) == before

    assert (
        sender.interactive(lens_choice(theme.theme_id, "repetitive_task", "UMANAGER")).status == 200
    )
    drain(app)

    assert lenses(session_factory, theme.theme_id) == {("repetitive_task", "manager")}
    told = [json.dumps(call.params["view"]) for call in stand_in.wait_for("views.push", 2)]
    assert "for managers" in told[0]
    assert "4 reports now count under Repetitive tasks" in told[1]


def test_the_details_modal_offers_the_five_lenses(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    theme = seed_theme(session_factory, "Invoices are typed in by hand", reporters=4)
    click(sender, stand_in, ids.THEME_DETAILS, str(theme.theme_id), "UMANAGER")
    view = last_view(stand_in)
    [select_] = [
        element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == ids.THEME_LENS
    ]
    assert [o["value"].split(":")[1] for o in select_["options"]] == [
        "workflow_bottleneck",
        "repetitive_task",
        "data_gap",
        "customer_facing",
        "employee_challenge",
    ]


def test_a_tampered_form_is_refused_in_the_form(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    pilot_id, form = adjustment_form(sender, stand_in, session_factory, "UMANAGER")
    form["private_metadata"] = json.dumps({"pilot_id": pilot_id, "kpis": "reports"})

    answer = response_json(
        sender.interactive(
            view_submission(form, {kpi_block(0, TARGET): number(99.0)}, user="UMANAGER")
        )
    )

    assert answer["errors"] == {kpi_block(0, BASELINE): "This form is out of date; open it again."}
    assert first_target(session_factory, pilot_id) == 0.5
