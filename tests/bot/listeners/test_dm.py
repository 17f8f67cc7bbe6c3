"""Scenario tests: direct messages to the bot, thread replies, Undo, retries and ignored events."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import App

from bot.blocks import ids
from bot.db.session import SessionFactory
from bot.domain.capture import PainPointInput
from bot.privacy.pseudonym import reporter_pseudonym
from bot.services.capture import CaptureService
from bot.settings import Settings
from tests.slack_requests import Sender, block_action, dm_event, drain
from tests.slack_stand_in import Call, SlackStandIn
from tests.stored import count_events, count_painpoints, painpoints


def button_values(call: Call) -> dict[str, str]:
    """action_id → value of every button in a posted message."""
    found = {}
    for block in call.params.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button":
                found[element["action_id"]] = element.get("value")
    return found


def send_dm(
    sender: Sender, stand_in: SlackStandIn, text: str, **kwargs: Any
) -> tuple[dict[str, Any], Call]:
    """Send a DM event and return it with the bot's reply (the next chat.postMessage)."""
    before = len(stand_in.calls_to("chat.postMessage"))
    event = dm_event(text, **{k: v for k, v in kwargs.items() if k != "event_id"})
    response = sender.event(event, event_id=kwargs.get("event_id"))
    assert response.status == 200
    reply = stand_in.wait_for("chat.postMessage", before + 1)[before]
    return event, reply


# --- recording ---------------------------------------------------------------------------


def test_dm_is_recorded_and_answered_in_its_thread_with_number_and_undo(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, settings: Settings
) -> None:
    event, reply = send_dm(sender, stand_in, "Expense reports need three signatures, mail a@b.io")

    [row] = painpoints(session_factory)
    assert row.source == "dm"
    assert row.text == "Expense reports need three signatures, mail [email]"
    assert row.reporter == reporter_pseudonym(settings.secret_key or "", "T1", "U100")
    assert row.notify_user_id is None
    assert row.thread_ts == event["ts"]
    assert reply.params["channel"] == "D100"
    assert reply.params["thread_ts"] == event["ts"]
    assert f"#{row.id}" in reply.params["text"]
    assert button_values(reply)[ids.UNDO] == str(row.id)


def test_thread_reply_adds_detail_to_the_same_pain_point(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    event, _ = send_dm(sender, stand_in, "Month-end close takes days")
    _, reply = send_dm(
        sender,
        stand_in,
        "Mostly reconciling two spreadsheets, call 555-0134",
        thread_ts=event["ts"],
    )

    [row] = painpoints(session_factory)
    assert row.text == "Month-end close takes days"
    assert row.details == "Mostly reconciling two spreadsheets, call [phone]"
    assert reply.params["thread_ts"] == event["ts"]
    assert f"#{row.id}" in reply.params["text"]

    send_dm(sender, stand_in, "And the macros break", thread_ts=event["ts"])
    [row] = painpoints(session_factory)
    assert row.details.splitlines() == [
        "Mostly reconciling two spreadsheets, call [phone]",
        "And the macros break",
    ]


def test_someone_elses_reply_in_a_thread_does_not_touch_the_reporters_row(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    event, _ = send_dm(sender, stand_in, "Laptop setup takes a week")
    send_dm(sender, stand_in, "Printer queue jams daily", user="U200", thread_ts=event["ts"])

    first, second = painpoints(session_factory)
    assert first.details is None
    assert second.text == "Printer queue jams daily"
    assert second.reporter != first.reporter


# --- Undo ----------------------------------------------------------------------------------


def test_undo_by_the_reporter_deletes_the_pain_point(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    _, reply = send_dm(sender, stand_in, "Approvals wait on one person")
    number = button_values(reply)[ids.UNDO]

    response = sender.interactive(
        block_action(ids.UNDO, number, response_url=stand_in.response_url())
    )

    assert response.status == 200
    answer = stand_in.wait_for("response_url")[0]
    assert answer.params["replace_original"] is True
    assert f"#{number}" in answer.params["text"]
    assert count_painpoints(session_factory) == 0


def test_undo_by_someone_else_is_refused_and_keeps_the_row(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    _, reply = send_dm(sender, stand_in, "Approvals wait on one person")
    number = button_values(reply)[ids.UNDO]

    sender.interactive(
        block_action(ids.UNDO, number, user="U200", response_url=stand_in.response_url())
    )

    answer = stand_in.wait_for("response_url")[0]
    assert answer.params["response_type"] == "ephemeral"
    assert answer.params["replace_original"] is False
    assert "Only the person who reported it" in answer.params["text"]
    assert count_painpoints(session_factory) == 1


def test_undo_with_a_malformed_value_is_refused(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    send_dm(sender, stand_in, "Approvals wait on one person")
    sender.interactive(block_action(ids.UNDO, "drop table", response_url=stand_in.response_url()))
    assert "Only the person" in stand_in.wait_for("response_url")[0].params["text"]
    assert count_painpoints(session_factory) == 1


def test_reply_in_the_thread_of_an_undone_pain_point_starts_a_new_one(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    event, reply = send_dm(sender, stand_in, "Travel booking is slow")
    sender.interactive(
        block_action(ids.UNDO, button_values(reply)[ids.UNDO], response_url=stand_in.response_url())
    )
    stand_in.wait_for("response_url")
    assert count_painpoints(session_factory) == 0

    _, again = send_dm(sender, stand_in, "Travel booking needs four tools", thread_ts=event["ts"])

    [row] = painpoints(session_factory)
    assert row.text == "Travel booking needs four tools"
    assert row.details is None
    assert row.thread_ts == event["ts"]
    assert f"#{row.id}" in again.params["text"]
    assert button_values(again)[ids.UNDO] == str(row.id)


# --- bad input -----------------------------------------------------------------------------


def test_empty_dm_gets_usage_help_and_stores_nothing(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    _, reply = send_dm(sender, stand_in, "   ")
    assert "/painpoint" in reply.params["text"]
    assert "direct message" in reply.params["text"]
    assert count_painpoints(session_factory) == 0


def test_too_long_dm_is_refused_stating_the_limit(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    _, reply = send_dm(sender, stand_in, "slow " * 801)
    assert "4,000" in reply.params["text"]
    assert count_painpoints(session_factory) == 0


def test_dm_of_exactly_the_limit_is_recorded(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    send_dm(sender, stand_in, "y" * 4000)
    [row] = painpoints(session_factory)
    assert len(row.text) == 4000


def test_same_dm_twice_is_already_recorded_and_stored_once(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    _, first = send_dm(sender, stand_in, "The VPN drops every hour")
    _, second = send_dm(sender, stand_in, "the  VPN drops every hour!")

    [row] = painpoints(session_factory)
    assert "already recorded" in second.params["text"]
    assert f"#{row.id}" in second.params["text"]
    assert button_values(first)[ids.UNDO] == button_values(second)[ids.UNDO] == str(row.id)


def test_same_text_from_two_people_is_two_pain_points(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    send_dm(sender, stand_in, "The VPN drops every hour")
    _, other = send_dm(sender, stand_in, "The VPN drops every hour", user="U200")
    assert "already recorded" not in other.params["text"]
    assert count_painpoints(session_factory) == 2


# --- Slack's retries -----------------------------------------------------------------------


@pytest.mark.parametrize("retry_num", [1, 2, 3])
def test_a_retried_event_creates_no_second_row_and_no_second_reply(
    sender: Sender,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    app: App,
    retry_num: int,
) -> None:
    event = dm_event("Deploys need a manual checklist")
    sender.event(event, event_id="EvRETRY1")
    stand_in.wait_for("chat.postMessage")

    response = sender.event(event, event_id="EvRETRY1", retry_num=retry_num)
    drain(app)

    assert response.status == 200
    assert count_painpoints(session_factory) == 1
    assert len(stand_in.calls_to("chat.postMessage")) == 1


def test_redelivered_event_with_different_text_is_still_ignored(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    sender.event(dm_event("First version"), event_id="EvSAME")
    stand_in.wait_for("chat.postMessage")
    sender.event(dm_event("Another message entirely"), event_id="EvSAME", retry_num=1)
    drain(app)
    assert [row.text for row in painpoints(session_factory)] == ["First version"]
    assert len(stand_in.calls_to("chat.postMessage")) == 1


def test_retries_arriving_together_store_one_row(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    event = dm_event("Onboarding checklists live in five places")
    sender.event(event, event_id="EvBURST")
    for retry in (1, 2, 3):
        sender.event(event, event_id="EvBURST", retry_num=retry)
    drain(app)

    assert count_painpoints(session_factory) == 1
    assert count_events(session_factory) == 1
    assert len(stand_in.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize("text", ["   ", "slow " * 801], ids=["empty", "too long"])
def test_a_retried_refusal_is_answered_once(
    sender: Sender,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    app: App,
    text: str,
) -> None:
    event = dm_event(text)
    sender.event(event, event_id="EvREFUSED")
    stand_in.wait_for("chat.postMessage")
    sender.event(event, event_id="EvREFUSED", retry_num=1)
    drain(app)

    assert count_painpoints(session_factory) == 0
    assert len(stand_in.calls_to("chat.postMessage")) == 1


def test_a_retried_empty_thread_reply_is_answered_once(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    event, _ = send_dm(sender, stand_in, "Quotes take a day to approve")
    reply = dm_event("  ", thread_ts=event["ts"])
    sender.event(reply, event_id="EvEMPTYREPLY")
    stand_in.wait_for("chat.postMessage", 2)
    sender.event(reply, event_id="EvEMPTYREPLY", retry_num=2)
    drain(app)

    [row] = painpoints(session_factory)
    assert row.details is None
    assert len(stand_in.calls_to("chat.postMessage")) == 2


def test_a_retried_thread_reply_adds_its_detail_once(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    event, _ = send_dm(sender, stand_in, "Quotes take a day to approve")
    reply = dm_event("Because legal reviews each one", thread_ts=event["ts"])
    sender.event(reply, event_id="EvDETAIL")
    stand_in.wait_for("chat.postMessage", 2)
    sender.event(reply, event_id="EvDETAIL", retry_num=1)
    drain(app)

    [row] = painpoints(session_factory)
    assert row.details == "Because legal reviews each one"
    assert len(stand_in.calls_to("chat.postMessage")) == 2


# --- events that are not a person's new words -----------------------------------------------

IGNORED_EVENTS = {
    "bot message": dm_event("Beep", bot_id="BOTHER", subtype="bot_message"),
    "bot message with user": dm_event("I am a bot", user="U300", bot_id="BOTHER"),
    "the bot's own message": dm_event("Recorded as pain point #1", user="UBOT", bot_id="BBOT"),
    "the bot's own user": dm_event("Recorded as pain point #1", user="UBOT"),
    "app message": dm_event("From an app", app_id="A999"),
    "edit": {
        "type": "message",
        "subtype": "message_changed",
        "channel": "D100",
        "channel_type": "im",
        "hidden": True,
        "ts": "1700000100.000200",
        "message": {"type": "message", "user": "U100", "text": "edited text", "ts": "1.1"},
        "previous_message": {"type": "message", "user": "U100", "text": "old", "ts": "1.1"},
    },
    "deletion": {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "D100",
        "channel_type": "im",
        "hidden": True,
        "deleted_ts": "1.1",
        "ts": "1700000100.000300",
    },
    "channel join": dm_event("<@U100> has joined the channel", subtype="channel_join"),
    "me message": dm_event("is frustrated", subtype="me_message"),
    "channel topic": dm_event("set the topic", subtype="channel_topic"),
    "message in a channel": dm_event("Public complaint", channel="C100", channel_type="channel"),
    "message in a private channel": dm_event("Quiet complaint", channel="G1", channel_type="group"),
    "message in a group DM": dm_event("Group complaint", channel="G2", channel_type="mpim"),
    "no user": {k: v for k, v in dm_event("ghost").items() if k != "user"},
}


@pytest.mark.parametrize("event", IGNORED_EVENTS.values(), ids=IGNORED_EVENTS.keys())
def test_events_that_are_not_a_persons_new_dm_are_ignored(
    sender: Sender,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    app: App,
    event: dict[str, Any],
) -> None:
    response = sender.event(event)
    drain(app)

    assert response.status == 200
    assert count_painpoints(session_factory) == 0
    assert stand_in.calls_to("chat.postMessage") == []


def test_a_file_share_with_a_comment_is_recorded(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    send_dm(sender, stand_in, "This export is always broken", subtype="file_share")
    [row] = painpoints(session_factory)
    assert row.text == "This export is always broken"


def test_the_31st_dm_within_an_hour_is_refused_politely(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, settings: Settings
) -> None:
    service = CaptureService(session_factory, secret_key=settings.secret_key or "")
    for n in range(30):
        service.record(
            team_id="T1", user_id="U100", submission=PainPointInput(f"Problem {n}", "dm")
        )

    _, reply = send_dm(sender, stand_in, "One more problem")

    assert "Thanks for all the reports" in reply.params["text"]
    assert "try again later" in reply.params["text"]
    assert ids.UNDO not in button_values(reply)
    assert count_painpoints(session_factory) == 30
    _, other = send_dm(sender, stand_in, "One more problem", user="U200")
    assert "Recorded" in other.params["text"]
