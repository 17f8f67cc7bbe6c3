"""Scenario tests: the buttons of a delivered nudge — quiz in place, feedback, pause, resume,
and opening the concern form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.db.session import SessionFactory
from bot.privacy.pseudonym import reporter_pseudonym
from bot.settings import Settings
from tests.bot.nudge_parts import LESSON, Parts, dm, make_parts
from tests.conftest import SECRET_KEY
from tests.slack_requests import TEAM, Sender, block_action
from tests.slack_stand_in import SlackStandIn


@pytest.fixture
def parts(
    settings: Settings, session_factory: SessionFactory, stand_in: SlackStandIn
) -> Iterator[Parts]:
    built = make_parts(settings, session_factory, stand_in)
    yield built
    built.dispatcher.close()


@pytest.fixture
def delivered(parts: Parts) -> int:
    """A nudge with a quiz, delivered to U001; returns its delivery id."""
    campaign = parts.schedule(["U001"])
    parts.runner.fire(campaign)
    parts.drain()
    (delivery,) = parts.deliveries()
    return delivery.id


def click(
    sender: Sender, stand_in: SlackStandIn, action_id: str, value: str, user: str = "U001"
) -> None:
    payload = block_action(action_id, value, user=user, response_url=stand_in.response_url(user))
    payload["container"] = {"type": "message", "message_ts": "1.1", "channel_id": dm(user)}
    assert sender.interactive(payload).status == 200


def block(blocks: list[dict[str, Any]], block_id: str) -> dict[str, Any] | None:
    return next((b for b in blocks if b.get("block_id") == block_id), None)


def test_a_quiz_answer_replaces_the_quiz_in_place_and_counts_once(
    sender: Sender, stand_in: SlackStandIn, parts: Parts, delivered: int
) -> None:
    original = stand_in.calls_to("chat.postMessage")[0].params
    assert block(original["blocks"], "nudge_quiz")["type"] == "actions"  # type: ignore[index]
    quiz = parts.library.lessons[LESSON].quiz
    assert quiz is not None

    click(sender, stand_in, f"nudge_quiz_{quiz.answer}", f"{delivered}:{quiz.answer}")
    update = stand_in.wait_for("chat.update")[0].params
    (sent,) = parts.deliveries()
    assert (update["channel"], update["ts"]) == (sent.channel, sent.ts)  # the same message
    feedback = block(update["blocks"], "nudge_quiz")
    assert feedback is not None and feedback["type"] == "section"
    assert "Right" in feedback["text"]["text"] and quiz.explanation[:30] in feedback["text"]["text"]
    assert block(update["blocks"], "nudge_quiz_question") is None
    assert [b["type"] for b in update["blocks"][:3]] == [b["type"] for b in original["blocks"][:3]]
    assert update["metadata"]["event_payload"]["delivery_id"] == delivered
    (answer,) = parts.feedback()
    assert (answer.quiz_answer, answer.quiz_correct) == (quiz.answer, True)
    # Stored under the recipient's pseudonym, never their Slack id.
    assert answer.respondent == reporter_pseudonym(SECRET_KEY, TEAM, sent.recipient)

    wrong = (quiz.answer + 1) % len(quiz.options)
    click(sender, stand_in, f"nudge_quiz_{wrong}", f"{delivered}:{wrong}")
    second = stand_in.wait_for("chat.update", 2)[1].params
    assert "Right" in block(second["blocks"], "nudge_quiz")["text"]["text"]  # type: ignore[index]
    assert parts.feedback()[0].quiz_correct is True


def test_feedback_buttons_record_once_and_show_it_on_the_message(
    sender: Sender, stand_in: SlackStandIn, parts: Parts, delivered: int
) -> None:
    click(sender, stand_in, "nudge_feedback_helpful", str(delivered))
    update = stand_in.wait_for("chat.update")[0].params
    status = block(update["blocks"], "nudge_status")
    assert status is not None and "helpful" in status["elements"][0]["text"]
    click(sender, stand_in, "nudge_feedback_helpful", str(delivered))  # again: nothing to redraw
    click(sender, stand_in, "nudge_feedback_done", str(delivered))
    updates = stand_in.wait_for("chat.update", 2)
    stand_in.settle()
    assert len(stand_in.calls_to("chat.update")) == 2
    assert "Marked done" in json.dumps(updates[1].params["blocks"])
    (given,) = parts.feedback()
    assert given.rating == "helpful" and given.done_at is not None
    assert given.respondent != parts.deliveries()[0].recipient


def test_someone_elses_nudge_is_not_theirs_to_rate(
    sender: Sender, stand_in: SlackStandIn, parts: Parts, delivered: int
) -> None:
    click(sender, stand_in, "nudge_feedback_helpful", str(delivered), user="U666")
    answer = stand_in.wait_for("response_url")[0].params
    assert "not one of yours" in answer["text"] and answer["replace_original"] is False
    assert not stand_in.calls_to("chat.update")
    assert parts.feedback() == []


def test_pause_from_a_nudge_and_resume_from_settings(
    sender: Sender, stand_in: SlackStandIn, parts: Parts, delivered: int
) -> None:
    click(sender, stand_in, "nudge_pause", str(delivered))
    update = stand_in.wait_for("chat.update")[0].params
    assert "Nudges are paused" in json.dumps(update["blocks"])
    assert "paused" in stand_in.wait_for("response_url")[0].params["text"]
    assert parts.service.is_paused("U001")

    click(sender, stand_in, "nudge_resume", "settings")
    resumed = stand_in.wait_for("response_url", 2)[1].params
    assert resumed["replace_original"] is True and "Nudges are on" in resumed["text"]
    assert not parts.service.is_paused("U001")


def test_i_have_a_concern_opens_the_form_linked_to_the_nudge(
    sender: Sender, stand_in: SlackStandIn, delivered: int
) -> None:
    click(sender, stand_in, "nudge_concern_open", str(delivered))
    view = stand_in.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == "nudge_concern"
    assert json.loads(view["private_metadata"]) == {"delivery_id": delivered}
    assert "What AI assistants are good and bad at" in json.dumps(view["blocks"])
    name_box = next(b for b in view["blocks"] if b.get("block_id") == "concern_name")
    assert "initial_options" not in name_box["element"]  # anonymous by default
