"""Scenario tests: the "Log as pain point" message shortcut."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import ids
from bot.db.session import SessionFactory
from bot.privacy.pseudonym import reporter_pseudonym
from bot.settings import Settings
from tests.slack_requests import (
    Sender,
    form_values,
    message_shortcut,
    response_json,
    view_submission,
)
from tests.slack_stand_in import SlackStandIn
from tests.stored import count_painpoints, painpoints


def open_modal(sender: Sender, stand_in: SlackStandIn, text: str) -> dict[str, Any]:
    response = sender.interactive(message_shortcut(text))
    assert response.status == 200
    return dict(stand_in.wait_for("views.open")[0].params["view"])


def text_element(view: dict[str, Any]) -> dict[str, Any]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == ids.REPORT_TEXT]
    return dict(block["element"])


def context_texts(view: dict[str, Any]) -> list[str]:
    return [
        element["text"]
        for block in view["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
    ]


def test_shortcut_opens_the_modal_prefilled_with_the_message(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    view = open_modal(sender, stand_in, "Why do we still fax purchase orders?")

    assert view["callback_id"] == ids.REPORT_MODAL
    assert text_element(view)["initial_value"] == "Why do we still fax purchase orders?"
    assert json.loads(view["private_metadata"]) == {"source": "shortcut"}
    assert not any("no text" in text or "longer" in text for text in context_texts(view))
    assert count_painpoints(session_factory) == 0  # nothing is stored until it is submitted


def test_the_reporter_is_whoever_used_the_shortcut_not_the_author(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, settings: Settings
) -> None:
    view = open_modal(sender, stand_in, "Why do we still fax purchase orders? cc <@U777>")
    values = form_values(text_element(view)["initial_value"], category="workflow_bottleneck")

    ack = response_json(sender.interactive(view_submission(view, values, user="U100")))

    assert ack["response_action"] == "update"
    [row] = painpoints(session_factory)
    key = settings.secret_key or ""
    assert row.source == "shortcut"
    assert row.text == "Why do we still fax purchase orders? cc [mention]"
    assert row.reporter == reporter_pseudonym(key, "T1", "U100")
    assert row.reporter != reporter_pseudonym(key, "T1", "U999")  # the message's author


def test_a_message_without_text_opens_the_modal_with_a_notice(
    sender: Sender, stand_in: SlackStandIn
) -> None:
    view = open_modal(sender, stand_in, "")
    assert any("no text to copy" in text for text in context_texts(view))
    assert "initial_value" not in text_element(view)


def test_a_message_over_3000_characters_is_cut_with_a_notice(
    sender: Sender, stand_in: SlackStandIn
) -> None:
    view = open_modal(sender, stand_in, "word " * 800)
    assert any("3,000" in text for text in context_texts(view))
    prefilled = text_element(view)["initial_value"]
    assert prefilled.startswith("word word")
    assert len(prefilled) <= 3000
