"""Direct messages to the bot: each top-level message is a pain point, thread replies add detail."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import capture as blocks
from bot.blocks import common
from bot.deps import Deps
from bot.domain.capture import CaptureResult, Outcome, PainPointInput
from bot.domain.wording import Wording
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


@dataclass(frozen=True)
class DirectMessage:
    """A person's DM as captured before Slack got its 200: what happened, and where to reply."""

    result: CaptureResult
    channel: str
    thread_ts: str  # the report's thread: the DM itself, or the thread it replied in
    detail: bool  # True when the DM added detail to an existing report


CAPTURED = "painpoint_direct_message"
RETRYING = (
    "I could not record this just now. Slack will deliver it to me again in a minute or so; "
    "if no receipt arrives here within ten minutes, please send it again."
)
logger = logging.getLogger(__name__)


def capture_direct_message(
    req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
) -> BoltResponse:
    """Bolt middleware: store a person's DM before the HTTP answer leaves.

    Events are acknowledged before their listener runs, so a DM stored by its listener could
    be lost to a crash after Slack's 200 (and Slack never retries a 200). Stored here, in the
    request itself, a failure answers 503 instead and Slack delivers the event again; the
    event id makes the retry harmless.
    """
    del resp
    body = req.body
    event = body.get("event")
    if body.get("type") != "event_callback" or not isinstance(event, dict):
        return next()
    if event.get("type") != "message" or not is_human_dm(event):
        return next()
    context = req.context
    try:
        req.context[CAPTURED] = _capture(deps_of(context), body, event, team_of(body, context))
    except Exception as exc:
        logger.error("a direct message could not be stored (%r); Slack will retry", exc)
        if not req.headers.get("x-slack-retry-num"):
            _say_we_will_retry(context.client, event)
        return BoltResponse(status=503, body="")
    return next()


def _say_we_will_retry(client: WebClient | None, event: dict[str, Any]) -> None:
    text, reply_blocks = common.notice(RETRYING)
    try:
        if client is not None:
            client.chat_postMessage(
                channel=str(event["channel"]),
                thread_ts=str(event.get("thread_ts") or event["ts"]),
                text=text,
                blocks=reply_blocks,
            )
    except (SlackApiError, OSError) as exc:
        logger.warning("could not tell the sender their DM will be retried: %r", exc)


def _capture(
    deps: Deps, body: dict[str, Any], event: dict[str, Any], team_id: str
) -> DirectMessage:
    user_id, text = str(event["user"]), str(event.get("text") or "")
    channel, ts = str(event["channel"]), str(event["ts"])
    event_id = body.get("event_id")
    thread_ts = event.get("thread_ts")
    root = ts
    if thread_ts and thread_ts != ts:
        result = deps.capture.add_detail(
            team_id=team_id, user_id=user_id, thread_ts=thread_ts, text=text, event_id=event_id
        )
        if result.outcome is not Outcome.NOT_FOUND:
            return DirectMessage(result, channel, str(thread_ts), detail=True)
        # The thread's pain point is gone (undone) or never existed: this reply starts a new one.
        root = str(thread_ts)
    result = deps.capture.record(
        team_id=team_id,
        user_id=user_id,
        submission=PainPointInput(text=text, source="dm"),
        thread_ts=root,
        event_id=event_id,
    )
    return DirectMessage(result, channel, root, detail=False)


def handle_message(client: WebClient, context: BoltContext, logger: logging.Logger) -> None:
    """Reply in the DM's thread to what `capture_direct_message` stored before the ack."""
    captured = context.get(CAPTURED)
    if not isinstance(captured, DirectMessage):
        return  # not a person's DM to the bot
    result = captured.result
    if result.outcome is Outcome.REPLAYED:
        logger.info("ignored a re-delivered event")
        return
    deps = deps_of(context)
    max_length = deps.capture.limits.max_text_length
    if captured.detail and result.outcome is Outcome.UPDATED:
        assert result.painpoint is not None
        client.chat_postMessage(
            channel=captured.channel,
            thread_ts=captured.thread_ts,
            text=f"Added to pain point #{result.painpoint.id}.",
        )
        return
    _reply(client, captured.channel, captured.thread_ts, result, max_length, deps.wording)


def _reply(
    client: WebClient,
    channel: str,
    thread_ts: str,
    result: CaptureResult,
    max_length: int,
    wording: Wording,
) -> None:
    if result.outcome is Outcome.EMPTY:
        text, reply_blocks = blocks.help_message(wording=wording)
    else:
        message = outcome_message(result, max_length)
        if message is not None:
            text, reply_blocks = common.notice(message)
        else:
            assert result.painpoint is not None
            text, reply_blocks = blocks.dm_receipt(
                result.painpoint, duplicate=result.outcome is Outcome.DUPLICATE, wording=wording
            )
    client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text, blocks=reply_blocks)
