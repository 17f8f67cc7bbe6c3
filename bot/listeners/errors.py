"""The one error handler: log the failure, tell the user something useful, never answer 500."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.common import notice
from bot.signature import is_verified, unverified_response

USER_MESSAGE = (
    "Sorry, something went wrong on our side and nothing was lost: please try again in a "
    "minute. If it keeps happening, tell the people who run painpoint."
)


def handle_error(
    error: Exception,
    body: dict[str, Any],
    context: BoltContext,
    response: BoltResponse | None,
    respond: Respond | None,
    client: WebClient,
    logger: logging.Logger,
) -> BoltResponse | None:
    """Log the error without payload text and answer the user where Slack lets us."""
    if not is_verified(context):
        # Never act on a body nobody has verified: no message, no call, only 401.
        logger.warning("error before the request was verified: %s", type(error).__name__)
        return unverified_response() if response is not None else None
    kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
    logger.error("listener failed on a %s request: %r", kind, error, exc_info=error)
    text, blocks = notice(USER_MESSAGE)
    if kind == "event_callback":
        # Events are acknowledged before their listener runs, so `response` is already sent;
        # a person whose DM failed is answered in its thread instead.
        _tell_dm_sender(body.get("event") or {}, client, logger, text, blocks)
        return BoltResponse(status=200, body="") if response is not None else None
    if response is not None:
        # Not acknowledged yet: the HTTP answer itself can carry the message.
        if "command" in body:
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
        if body.get("type") == "view_submission":
            return BoltResponse(
                status=200,
                body={"response_action": "errors", "errors": {"text": USER_MESSAGE[:150]}},
            )
        return BoltResponse(status=200, body="")
    try:
        if respond is not None:
            respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
            return None
        user = body.get("user_id") or (body.get("user") or {}).get("id")
        if user:
            client.chat_postMessage(channel=user, text=text, blocks=blocks)
    except SlackApiError as exc:
        logger.warning("could not tell the user about the error: %s", exc.response.get("error"))
    return None


def _tell_dm_sender(
    event: dict[str, Any],
    client: WebClient,
    logger: logging.Logger,
    text: str,
    blocks: list[dict[str, Any]],
) -> None:
    is_person_in_dm = (
        event.get("type") == "message"
        and event.get("channel_type") == "im"
        and event.get("user")
        and not event.get("bot_id")
        and event.get("channel")
        and event.get("ts")
    )
    if not is_person_in_dm:
        return
    try:
        client.chat_postMessage(
            channel=str(event["channel"]),
            thread_ts=str(event.get("thread_ts") or event["ts"]),
            text=text,
            blocks=blocks,
        )
    except SlackApiError as exc:
        logger.warning("could not tell the user about the error: %s", exc.response.get("error"))


def register(app: App) -> None:
    """Install the error handler."""
    app.error(handle_error)
