"""Buttons on receipts and App Home: open the form, add details, undo."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks import capture as blocks
from bot.blocks import common
from bot.listeners.commands.parse import parse_painpoint_number
from bot.listeners.context import deps_of, team_of, user_of


def _action_value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def handle_open_report(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Open an empty report form (App Home's button)."""
    ack()
    deps = deps_of(context)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=blocks.report_modal(
            teams=deps.settings.teams, metadata={"source": "modal"}, wording=deps.wording
        ),
    )


def handle_add_details(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Open the form prefilled with the reporter's own pain point."""
    ack()
    deps = deps_of(context)
    number = parse_painpoint_number(_action_value(body))
    own = None
    if number is not None:
        own = deps.capture.get_own(
            team_id=team_of(body, context), user_id=user_of(body, context), painpoint_id=number
        )
    if own is None:
        text, reply_blocks = common.notice(
            "That pain point is not one of yours, or it has been erased."
        )
        respond(text=text, blocks=reply_blocks, response_type="ephemeral", replace_original=False)
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=blocks.report_modal(
            text=own.text,
            frequency=own.frequency,
            hours_per_week=own.hours_per_week,
            category=own.category,
            team=own.team,
            keep_posted=own.keep_posted,
            teams=deps.settings.teams,
            metadata={"painpoint_id": own.id},
            wording=deps.wording,
        ),
    )


def handle_undo(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Delete the pain point the receipt was for; only its reporter can."""
    ack()
    deps = deps_of(context)
    number = parse_painpoint_number(_action_value(body))
    deleted = number is not None and deps.capture.delete(
        team_id=team_of(body, context), user_id=user_of(body, context), painpoint_id=number
    )
    if deleted:
        logger.info("pain point %s undone by its reporter", number)
        text, reply_blocks = common.notice(
            f"Undone — pain point *#{number}* is deleted. Send a new message any time."
        )
        respond(text=text, blocks=reply_blocks, replace_original=True)
    else:
        text, reply_blocks = common.notice(
            "Only the person who reported it can undo it, and it may already be gone."
        )
        respond(text=text, blocks=reply_blocks, response_type="ephemeral", replace_original=False)
