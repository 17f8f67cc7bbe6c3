"""Scenario tests: the buttons on receipts and App Home ("Add details", "Report a pain point")."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import ids
from bot.db.session import SessionFactory
from tests.slack_requests import (
    Sender,
    block_action,
    form_values,
    response_json,
    view_submission,
)
from tests.slack_stand_in import SlackStandIn
from tests.stored import count_painpoints, painpoints


def add_details_value(ack: dict[str, Any]) -> str:
    """The value of the "Add details" button on a receipt."""
    for block in ack["blocks"]:
        for element in block.get("elements") or []:
            if element.get("action_id") == ids.ADD_DETAILS:
                return str(element["value"])
    raise AssertionError("the receipt has no Add details button")


def element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return dict(block["element"])


def test_add_details_opens_the_modal_prefilled_and_submitting_amends_the_same_row(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    receipt = response_json(sender.command("Invoices are typed in by hand"))
    number = add_details_value(receipt)

    response = sender.interactive(
        block_action(ids.ADD_DETAILS, number, response_url=stand_in.response_url())
    )
    assert response.status == 200
    call = stand_in.wait_for("views.open")[0]
    view = call.params["view"]
    assert call.params["trigger_id"].startswith("trig-")
    assert view["callback_id"] == ids.REPORT_MODAL
    assert element(view, ids.REPORT_TEXT)["initial_value"] == "Invoices are typed in by hand"
    assert json.loads(view["private_metadata"]) == {"painpoint_id": int(number)}

    values = form_values(
        "Invoices are typed in by hand from PDFs",
        frequency="weekly",
        hours="4",
        category="repetitive_task",
        team="Billing",
        keep_posted=True,
    )
    ack = response_json(sender.interactive(view_submission(view, values)))

    assert ack["response_action"] == "update"
    assert ack["view"]["title"]["text"] == "Updated"
    [row] = painpoints(session_factory)
    assert str(row.id) == number
    assert row.text == "Invoices are typed in by hand from PDFs"
    assert row.source == "slash"
    assert (row.frequency, row.hours_per_week, row.category, row.team) == (
        "weekly",
        4.0,
        "repetitive_task",
        "Billing",
    )
    assert (row.keep_posted, row.notify_user_id) == (True, "U100")


def test_the_prefilled_modal_shows_the_stored_details(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    view = None
    sender.interactive(
        view_submission(
            {"type": "modal", "callback_id": ids.REPORT_MODAL, "private_metadata": "{}"},
            form_values(
                "Reports are built by hand",
                frequency="daily",
                hours="1.5",
                category="data_gap",
                keep_posted=True,
            ),
        )
    )
    [row] = painpoints(session_factory)

    sender.interactive(block_action(ids.ADD_DETAILS, str(row.id)))
    view = stand_in.wait_for("views.open")[0].params["view"]

    assert element(view, ids.REPORT_FREQUENCY)["initial_option"]["value"] == "daily"
    assert element(view, ids.REPORT_HOURS)["initial_value"] == "1.5"
    assert element(view, ids.REPORT_CATEGORY)["initial_option"]["value"] == "data_gap"
    assert element(view, ids.REPORT_KEEP_POSTED)["initial_options"][0]["value"] == "yes"


def test_add_details_on_someone_elses_pain_point_is_refused(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    number = add_details_value(response_json(sender.command("Invoices are typed in by hand")))

    sender.interactive(
        block_action(ids.ADD_DETAILS, number, user="U200", response_url=stand_in.response_url())
    )

    answer = stand_in.wait_for("response_url")[0]
    assert answer.params["response_type"] == "ephemeral"
    assert "not one of yours" in answer.params["text"]
    assert "Invoices" not in json.dumps(answer.params)
    assert stand_in.calls_to("views.open") == []


def test_add_details_for_an_erased_or_malformed_number_is_refused(
    sender: Sender, stand_in: SlackStandIn
) -> None:
    for value in ("999", "", "#x"):
        sender.interactive(
            block_action(ids.ADD_DETAILS, value, response_url=stand_in.response_url(value))
        )
    answers = stand_in.wait_for("response_url", 3)
    assert all("not one of yours" in answer.params["text"] for answer in answers)
    assert stand_in.calls_to("views.open") == []


def test_submitting_an_amendment_for_someone_elses_number_is_refused_in_the_modal(
    sender: Sender, session_factory: SessionFactory
) -> None:
    number = add_details_value(response_json(sender.command("Invoices are typed in by hand")))
    forged = {
        "type": "modal",
        "callback_id": ids.REPORT_MODAL,
        "private_metadata": json.dumps({"painpoint_id": int(number)}),
    }

    ack = response_json(
        sender.interactive(view_submission(forged, form_values("Nothing to see"), user="U200"))
    )

    assert ack["response_action"] == "errors"
    assert "could not find" in ack["errors"][ids.REPORT_TEXT]
    [row] = painpoints(session_factory)
    assert row.text == "Invoices are typed in by hand"


def test_amending_to_empty_text_is_an_error_and_keeps_the_row(
    sender: Sender, session_factory: SessionFactory
) -> None:
    number = add_details_value(response_json(sender.command("Invoices are typed in by hand")))
    view = {
        "type": "modal",
        "callback_id": ids.REPORT_MODAL,
        "private_metadata": json.dumps({"painpoint_id": int(number)}),
    }
    ack = response_json(sender.interactive(view_submission(view, form_values("  "))))
    assert ack["response_action"] == "errors"
    assert [row.text for row in painpoints(session_factory)] == ["Invoices are typed in by hand"]


def test_report_button_opens_an_empty_modal(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    sender.interactive(block_action(ids.OPEN_REPORT, ""))
    view = stand_in.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == ids.REPORT_MODAL
    assert "initial_value" not in element(view, ids.REPORT_TEXT)
    assert json.loads(view["private_metadata"]) == {"source": "modal"}
    assert count_painpoints(session_factory) == 0
