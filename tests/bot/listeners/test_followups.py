"""Scenario: the one-tap follow-ups on slash and DM receipts, answered by the reporter only."""

from __future__ import annotations

import re

from bot.blocks import ids
from bot.blocks.followups import followup_action
from bot.db.session import SessionFactory
from tests.slack_requests import Sender, block_action, dm_event, drain, response_json
from tests.slack_stand_in import SlackStandIn
from tests.stored import painpoints


def buttons(blocks: list[dict]) -> dict[str, dict]:  # type: ignore[type-arg]
    return {e["action_id"]: e for b in blocks if b.get("type") == "actions" for e in b["elements"]}


def tap(
    sender: Sender, stand_in: SlackStandIn, action: str, value: str, user: str = "U100"
) -> None:
    payload = block_action(action, value, user=user, response_url=stand_in.response_url(user))
    assert sender.interactive(payload).status == 200
    drain(sender.app)


def test_a_slash_receipt_asks_how_often_and_hours_and_stores_the_answers(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    receipt = response_json(sender.command("Month-end close needs three spreadsheets"))
    number = int(re.search(r"#(\d+)", receipt["text"]).group(1))  # type: ignore[union-attr]
    offered = buttons(receipt["blocks"])
    assert {followup_action("frequency", f) for f in ("daily", "weekly", "monthly")} <= set(offered)
    assert {followup_action("hours", h) for h in ("0-1", "1-3", "3-5", "5+")} <= set(offered)

    tap(sender, stand_in, followup_action("frequency", "monthly"), f"{number}:monthly")
    tap(sender, stand_in, followup_action("hours", "3-5"), f"{number}:3-5")

    [row] = painpoints(session_factory)
    assert (row.frequency, row.hours_per_week) == ("monthly", 4.0)
    redrawn = stand_in.calls_to("response_url")[-1].params
    assert redrawn["replace_original"] is True
    marked = buttons(redrawn["blocks"])
    assert marked[followup_action("hours", "3-5")]["style"] == "primary"
    assert "Noted: Monthly, 3–5 h a week" in str(redrawn["blocks"])


def test_a_dm_receipt_is_updated_in_place(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    sender.event(dm_event("The VPN drops every afternoon"))
    drain(sender.app)
    reply = stand_in.wait_for("chat.postMessage")[-1].params
    number = int(re.search(r"#(\d+)", reply["text"]).group(1))  # type: ignore[union-attr]
    assert followup_action("hours", "1-3") in buttons(reply["blocks"])

    tap(sender, stand_in, followup_action("hours", "1-3"), f"{number}:1-3")

    [update] = stand_in.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("D100", "1.1")
    assert [row.hours_per_week for row in painpoints(session_factory)] == [2.0]


def test_nobody_else_can_answer_for_a_report(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    receipt = response_json(sender.command("Approvals wait for days", user="U100"))
    number = int(re.search(r"#(\d+)", receipt["text"]).group(1))  # type: ignore[union-attr]

    tap(sender, stand_in, followup_action("hours", "5+"), f"{number}:5+", user="U200")

    assert "Only the person who reported it" in stand_in.calls_to("response_url")[-1].params["text"]
    assert [row.hours_per_week for row in painpoints(session_factory)] == [None]
    assert ids.FOLLOWUP_PREFIX.startswith("painpoint_")
