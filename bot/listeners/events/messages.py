"""Direct messages to the bot: each top-level message is a pain point, thread replies add detail."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.blocks import capture as blocks
from bot.blocks import common
from bot.domain.capture import CaptureResult, Outcome, PainPointInput
from bot.listeners.context import deps_of, team_of
from bot.listeners.replies import outcome_message

# Subtypes that still carry a person's own new words; everything else (edits, deletions,
# joins, bot posts…) is ignored.
ACCEPTED_SUBTYPES = {None, "file_share", "thread_broadcast"}


def is_human_dm(event: dict[str, Any]) -> bool:
    """True for a person's new message in a DM with the bot."""
    if event.get("channel_type") != "im":
        return False
    if event.get("bot_id") or event.get("bot_profile") or event.get("app_id"):
        return False
    if event.get("subtype") not in ACCEPTED_SUBTYPES or event.get("hidden"):
        return False
    return bool(event.get("user"))


def handle_message(
    event: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Record a DM as a pain point, or add a thread reply to the one it belongs to."""
    if not is_human_dm(event):
        return
    deps = deps_of(context)
    team_id = team_of(body, context)
    user_id = str(event["user"])
    text = str(event.get("text") or "")
    channel = str(event["channel"])
    ts = str(event["ts"])
    event_id = body.get("event_id")
    thread_ts = event.get("thread_ts")
    max_length = deps.capture.limits.max_text_length

    if thread_ts and thread_ts != ts:
        result = deps.capture.add_detail(
            team_id=team_id, user_id=user_id, thread_ts=thread_ts, text=text, event_id=event_id
        )
        if result.outcome is Outcome.REPLAYED:
            return
        if result.outcome is Outcome.UPDATED:
            assert result.painpoint is not None
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=f"Added to pain point #{result.painpoint.id}.",
            )
            return
        if result.outcome is not Outcome.NOT_FOUND:
            _reply(client, channel, thread_ts, result, max_length)
            return
        # The thread's pain point is gone (undone) or never existed: this reply starts a new one.
        root = thread_ts
    else:
        root = ts

    result = deps.capture.record(
        team_id=team_id,
        user_id=user_id,
        submission=PainPointInput(text=text, source="dm"),
        thread_ts=root,
        event_id=event_id,
    )
    if result.outcome is Outcome.REPLAYED:
        logger.info("ignored a re-delivered event")
        return
    _reply(client, channel, root, result, max_length)


def _reply(
    client: WebClient, channel: str, thread_ts: str, result: CaptureResult, max_length: int
) -> None:
    if result.outcome is Outcome.EMPTY:
        text, reply_blocks = blocks.help_message()
    else:
        message = outcome_message(result, max_length)
        if message is not None:
            text, reply_blocks = common.notice(message)
        else:
            assert result.painpoint is not None
            text, reply_blocks = blocks.dm_receipt(
                result.painpoint, duplicate=result.outcome is Outcome.DUPLICATE
            )
    client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text, blocks=reply_blocks)
