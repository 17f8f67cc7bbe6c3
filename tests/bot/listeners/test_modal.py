"""Scenario tests: submitting the report modal — validation inside the modal, then storing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import App

from bot.blocks import capture as blocks
from bot.blocks import ids
from bot.db.session import SessionFactory
from bot.domain.capture import PainPointInput
from bot.privacy.pseudonym import reporter_pseudonym
from bot.services.capture import CaptureService
from bot.settings import Settings
from tests.conftest import AppMaker
from tests.slack_requests import Sender, form_values, response_json, view_submission
from tests.stored import count_painpoints, painpoints


def submit(sender: Sender, values: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Submit the new-report modal and return Slack's acknowledgement body."""
    view = kwargs.pop("view", None) or blocks.report_modal(metadata={"source": "modal"})
    response = sender.interactive(view_submission(view, values, **kwargs))
    assert response.status == 200
    return response_json(response)


def confirmation_text(ack: dict[str, Any]) -> str:
    assert ack["response_action"] == "update"
    return " ".join(block["text"]["text"] for block in ack["view"]["blocks"])


def test_valid_submission_stores_every_field(
    sender: Sender, session_factory: SessionFactory, settings: Settings
) -> None:
    ack = submit(
        sender,
        form_values(
            "Re-keying orders from the CRM into billing, see <@U042>",
            frequency="daily",
            hours="3.5",
            category="repetitive_task",
            team="Finance ops",
        ),
    )

    [row] = painpoints(session_factory)
    assert f"#{row.id}" in confirmation_text(ack)
    assert row.text == "Re-keying orders from the CRM into billing, see [mention]"
    assert row.source == "modal"
    assert (row.frequency, row.hours_per_week, row.category) == ("daily", 3.5, "repetitive_task")
    assert row.team == "Finance ops"
    assert row.keep_posted is False
    assert row.notify_user_id is None
    assert row.reporter == reporter_pseudonym(settings.secret_key or "", "T1", "U100")


def test_keep_me_posted_is_the_only_way_the_user_id_is_stored(
    sender: Sender, session_factory: SessionFactory
) -> None:
    submit(sender, form_values("Timesheets are entered twice", keep_posted=True))
    submit(sender, form_values("Badge access takes a week"), user="U200")

    posted, quiet = painpoints(session_factory)
    assert (posted.keep_posted, posted.notify_user_id) == (True, "U100")
    assert (quiet.keep_posted, quiet.notify_user_id) == (False, None)
    assert "U100" not in posted.reporter and "U200" not in quiet.reporter


def test_only_the_text_is_required(sender: Sender, session_factory: SessionFactory) -> None:
    ack = submit(sender, form_values("Meetings without agendas"))
    assert ack["response_action"] == "update"
    [row] = painpoints(session_factory)
    assert (row.frequency, row.hours_per_week, row.category, row.team) == (None, None, None, None)


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t "])
def test_empty_text_is_an_error_on_the_text_block(
    sender: Sender, session_factory: SessionFactory, text: str | None
) -> None:
    ack = submit(sender, form_values(text, category="employee_challenge"))
    assert ack["response_action"] == "errors"
    assert list(ack["errors"]) == [ids.REPORT_TEXT]
    assert count_painpoints(session_factory) == 0


@pytest.mark.parametrize("hours", ["81", "-1", "80.01", "abc", "nan", "inf", "1e3", "2h"])
def test_hours_outside_0_to_80_or_not_a_number_is_an_error(
    sender: Sender, session_factory: SessionFactory, hours: str
) -> None:
    ack = submit(sender, form_values("Waiting for builds", hours=hours))
    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == {ids.REPORT_HOURS}
    assert count_painpoints(session_factory) == 0


@pytest.mark.parametrize(("hours", "stored"), [("0", 0.0), ("80", 80.0), ("2,5", 2.5), ("", None)])
def test_hours_within_range_are_stored(
    sender: Sender, session_factory: SessionFactory, hours: str, stored: float | None
) -> None:
    submit(sender, form_values("Waiting for builds", hours=hours))
    [row] = painpoints(session_factory)
    assert row.hours_per_week == stored


def test_unknown_category_and_frequency_are_errors_on_their_blocks(
    sender: Sender, session_factory: SessionFactory
) -> None:
    ack = submit(
        sender, form_values("Waiting for builds", category="world_peace", frequency="hourly")
    )
    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == {ids.REPORT_CATEGORY, ids.REPORT_FREQUENCY}
    assert count_painpoints(session_factory) == 0


def test_several_errors_are_reported_together(sender: Sender) -> None:
    ack = submit(sender, form_values("", hours="99", category="nope"))
    assert set(ack["errors"]) == {ids.REPORT_TEXT, ids.REPORT_HOURS, ids.REPORT_CATEGORY}


def test_text_over_the_limit_is_refused_in_the_modal_stating_the_limit(
    sender: Sender, session_factory: SessionFactory
) -> None:
    ack = submit(sender, form_values("z" * 4001))
    assert ack["response_action"] == "errors"
    assert "4,000" in ack["errors"][ids.REPORT_TEXT]
    assert count_painpoints(session_factory) == 0


def test_same_text_twice_is_already_recorded_and_stored_once(
    sender: Sender, session_factory: SessionFactory
) -> None:
    submit(sender, form_values("Contracts are signed on paper"))
    again = submit(sender, form_values("contracts are signed on paper."))
    [row] = painpoints(session_factory)
    assert again["view"]["title"]["text"] == "Already recorded"
    assert f"#{row.id}" in confirmation_text(again)


def test_submission_with_missing_state_never_crashes(
    sender: Sender, session_factory: SessionFactory
) -> None:
    ack = submit(sender, {})
    assert ack["response_action"] == "errors"
    assert ids.REPORT_TEXT in ack["errors"]
    assert count_painpoints(session_factory) == 0


@pytest.mark.parametrize("metadata", ["not json", "[1, 2]", json.dumps({"source": "import"})])
def test_unreadable_or_foreign_metadata_records_a_plain_modal_report(
    sender: Sender, session_factory: SessionFactory, metadata: str
) -> None:
    view = {**blocks.report_modal(), "private_metadata": metadata}
    ack = submit(sender, form_values("Slow laptops"), view=view)
    assert ack["response_action"] == "update"
    [row] = painpoints(session_factory)
    assert row.source == "modal"


def test_team_free_text_is_scrubbed(sender: Sender, session_factory: SessionFactory) -> None:
    submit(sender, form_values("Slow laptops", team="Ops, ask ops-lead@example.com"))
    [row] = painpoints(session_factory)
    assert row.team == "Ops, ask [email]"


@pytest.fixture
def teams_app(settings: Settings, make_app: AppMaker) -> App:
    return make_app(settings.model_copy(update={"teams": ["Finance", "Sales"]}))


def test_configured_teams_are_a_select_and_others_are_refused(
    teams_app: App, session_factory: SessionFactory
) -> None:
    sender = Sender(teams_app)
    view = blocks.report_modal(teams=["Finance", "Sales"])
    [team_block] = [b for b in view["blocks"] if b.get("block_id") == ids.REPORT_TEAM]
    assert team_block["element"]["type"] == "static_select"

    values = form_values("Forecasts are rebuilt weekly")
    values[ids.REPORT_TEAM] = {
        ids.VALUE: {"type": "static_select", "selected_option": {"value": "Marketing"}}
    }
    ack = submit(sender, values, view=view)
    assert set(ack["errors"]) == {ids.REPORT_TEAM}
    assert count_painpoints(session_factory) == 0

    values[ids.REPORT_TEAM][ids.VALUE]["selected_option"] = {"value": "Sales"}
    submit(sender, values, view=view)
    [row] = painpoints(session_factory)
    assert row.team == "Sales"


def test_a_flood_of_reports_is_refused_inside_the_modal(
    sender: Sender, session_factory: SessionFactory, settings: Settings
) -> None:
    service = CaptureService(session_factory, secret_key=settings.secret_key or "")
    for n in range(30):
        service.record(
            team_id="T1", user_id="U100", submission=PainPointInput(f"Problem {n}", "modal")
        )

    ack = submit(sender, form_values("One more problem"))

    assert ack["response_action"] == "errors"
    assert "try again later" in ack["errors"][ids.REPORT_TEXT]
    assert count_painpoints(session_factory) == 30
