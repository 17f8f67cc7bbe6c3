"""Buttons on a nudge: feedback, quiz answers, "I have a concern", pause and resume.

Every change is recorded once per delivery, then the message is redrawn from the stored state
with chat.update, so the quiz's feedback replaces the quiz in place.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks import common, ids
from bot.blocks import nudge as nudge_blocks
from bot.domain.nudges import DeliveryContext
from bot.listeners.context import deps_of, nudges_of, team_of, user_of

FEEDBACK_KINDS = {
    ids.FEEDBACK_HELPFUL: "helpful",
    ids.FEEDBACK_NOT_FOR_ME: "not_for_me",
    ids.FEEDBACK_DONE: "done",
}
NOT_YOURS = "That nudge is not one of yours, or it has been removed."


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or [{}]
    return dict(actions[0])


def _delivery_id(value: str) -> int | None:
    head = value.split(":", 1)[0]
    return int(head) if head.isdigit() else None


def redraw(client: WebClient, body: dict[str, Any], found: DeliveryContext) -> None:
    """Replace the nudge message with one drawn from the delivery's current state."""
    if found.lesson is None:
        return
    container = body.get("container") or {}
    channel = found.channel or container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = found.ts or container.get("message_ts")
    if not channel or not ts:
        return
    text, message = nudge_blocks.nudge_message(
        found.lesson,
        delivery_id=found.delivery_id,
        step=found.step,
        track_title=found.track_title,
        state=found.state,
    )
    client.chat_update(
        channel=channel,
        ts=ts,
        text=text,
        blocks=message,
        metadata=nudge_blocks.nudge_metadata(found.delivery_id, found.lesson.id, found.campaign_id),
    )


def _tell(respond: Respond, text: str) -> None:
    message, reply = common.notice(text)
    respond(text=message, blocks=reply, response_type="ephemeral", replace_original=False)


def handle_feedback(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Helpful / Not for me / Done."""
    ack()
    action = _action(body)
    kind = FEEDBACK_KINDS.get(str(action.get("action_id")))
    delivery_id = _delivery_id(str(action.get("value") or ""))
    service = nudges_of(deps_of(context))
    found = (
        service.give_feedback(
            delivery_id, user_of(body, context), kind, team_id=team_of(body, context)
        )
        if kind and delivery_id is not None
        else None
    )
    if found is None:
        _tell(respond, NOT_YOURS)
        return
    if found.changed:
        redraw(client, body, found)


def handle_quiz(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """A quiz answer: recorded once; its feedback replaces the quiz."""
    ack()
    value = str(_action(body).get("value") or "")
    delivery_id = _delivery_id(value)
    answer_text = value.split(":", 1)[1] if ":" in value else ""
    service = nudges_of(deps_of(context))
    found = None
    if delivery_id is not None and answer_text.isdigit():
        found = service.answer_quiz(
            delivery_id, user_of(body, context), int(answer_text), team_id=team_of(body, context)
        )
    if found is None:
        _tell(respond, NOT_YOURS)
        return
    redraw(client, body, found)


def handle_open_concern(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Open the concern form (linked to the nudge only if it is the clicker's own)."""
    ack()
    delivery_id = _delivery_id(str(_action(body).get("value") or ""))
    service = nudges_of(deps_of(context))
    found = (
        service.context(delivery_id, user_of(body, context)) if delivery_id is not None else None
    )
    client.views_open(
        trigger_id=body["trigger_id"],
        view=nudge_blocks.concern_modal(
            delivery_id=found.delivery_id if found else 0,
            lesson_title=found.lesson.title if found and found.lesson else None,
            min_reporters=service.min_reporters,
        ),
    )


def handle_pause(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Pause nudges, from a nudge or from `/painpoint settings`."""
    ack()
    user_id = user_of(body, context)
    service = nudges_of(deps_of(context))
    service.set_paused(user_id, True)
    logger.info("a recipient paused nudges")
    value = str(_action(body).get("value") or "")
    delivery_id = _delivery_id(value)
    if delivery_id is not None:
        found = service.context(delivery_id, user_id)
        if found is not None:
            redraw(client, body, found)
        _tell(respond, "Nudges are paused. Resume any time with `/painpoint settings`.")
        return
    text, reply = nudge_blocks.settings_message(paused=True)
    respond(text=text, blocks=reply, replace_original=True)


def handle_resume(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Resume nudges (the `/painpoint settings` button)."""
    ack()
    nudges_of(deps_of(context)).set_paused(user_of(body, context), False)
    text, reply = nudge_blocks.settings_message(paused=False)
    respond(text=text, blocks=reply, replace_original=True)
