"""Scenario tests: `/painpoint privacy` explains in plain words; `/painpoint forget` shows what
it would erase and erases only after the confirmed click, only the clicker's data, under
every team key they wrote under."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import App

from bot.blocks import ids
from bot.db.session import SessionFactory
from tests.slack_requests import Sender, block_action, drain, response_json
from tests.slack_stand_in import SlackStandIn
from tests.stored import count_painpoints, painpoints


def answer(sender: Sender, text: str, user: str = "U100", **kwargs: Any) -> dict[str, Any]:
    response = sender.command(text, user=user, **kwargs)
    assert response.status == 200
    return response_json(response)


def test_privacy_says_what_is_stored_who_sees_what_and_the_minimum_rule(
    sender: Sender, session_factory: SessionFactory
) -> None:
    body = answer(sender, "privacy")
    rendered = json.dumps(body["blocks"])

    for expected in (
        "What is stored",
        "Not your name",
        "Your Slack id",
        "Keep me posted",
        "its status, a pilot, a lesson",
        "Who sees what",
        "at least 3 different people",
        "The minimum-reporter rule",
        "fewer than 3 different people",
        "is logged",
        "/painpoint forget",
        "kept until you erase them",
    ):
        assert expected in rendered, expected
    assert count_painpoints(session_factory) == 0


@pytest.mark.parametrize("text", ["privacy is a joke here", "forget it, the VPN drops hourly"])
def test_longer_texts_starting_with_privacy_or_forget_are_reports(
    sender: Sender, session_factory: SessionFactory, text: str
) -> None:
    assert "recorded" in answer(sender, text)["text"]
    assert [row.text for row in painpoints(session_factory)] == [text]


def forget_button(body: dict[str, Any]) -> dict[str, Any]:
    return next(
        element
        for block in body["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == ids.FORGET_CONFIRM
    )


def test_forget_counts_first_and_erases_only_after_the_click(
    sender: Sender, app: App, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    answer(sender, "The expense tool logs me out")
    answer(sender, "Approvals wait on one person")
    answer(sender, "The wiki search is useless", user="U200")

    offer = answer(sender, "forget")

    assert "reports (with their details): 2" in json.dumps(offer["blocks"])
    button = forget_button(offer)
    assert button["style"] == "danger" and button["confirm"]["style"] == "danger"
    assert count_painpoints(session_factory) == 3  # nothing erased by asking

    payload = block_action(
        ids.FORGET_CONFIRM, button["value"], response_url=stand_in.response_url("U100")
    )
    assert sender.interactive(payload).status == 200
    drain(app)

    reply = stand_in.wait_for("response_url")[0].params
    assert reply["replace_original"] is True and "Erased" in reply["text"]
    assert [row.text for row in painpoints(session_factory)] == ["The wiki search is useless"]


def test_the_button_erases_whoever_clicks_it_never_the_person_it_was_shown_to(
    sender: Sender, app: App, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    answer(sender, "The expense tool logs me out")
    answer(sender, "The wiki search is useless", user="U200")
    button = forget_button(answer(sender, "forget"))

    payload = block_action(
        ids.FORGET_CONFIRM, button["value"], user="U200", response_url=stand_in.response_url()
    )
    sender.interactive(payload)
    drain(app)

    assert [row.text for row in painpoints(session_factory)] == ["The expense tool logs me out"]


def test_forget_finds_reports_written_from_another_workspace_of_the_org(
    sender: Sender, app: App, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    # Written from workspace T7; the request noted T7 among the pseudonym scopes.
    answer(sender, "Badge printer jams", team="T7")
    answer(sender, "Timesheets twice", team="T8", user="U200")

    button = forget_button(answer(sender, "forget"))  # asked from workspace T1
    sender.interactive(
        block_action(ids.FORGET_CONFIRM, button["value"], response_url=stand_in.response_url())
    )
    drain(app)

    assert [row.text for row in painpoints(session_factory)] == ["Timesheets twice"]


def test_forget_with_nothing_stored_says_so(sender: Sender) -> None:
    body = answer(sender, "forget")
    assert "Nothing to erase" in body["text"]
    assert "actions" not in json.dumps(body["blocks"])
