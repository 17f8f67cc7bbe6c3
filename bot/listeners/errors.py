"""The app-wide error handler, for failures outside listeners (middleware, routing).

Listeners answer their own failures (see `guard`). What reaches this handler happened before
any listener ran, so nothing has been acknowledged: the HTTP answer carries the message. It
never acts on a request whose signature was not verified.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.listeners.guard import USER_MESSAGE, kind_of
from bot.listeners.signature import is_verified, unverified_response


def handle_error(
    error: Exception,
    body: dict[str, Any],
    context: BoltContext,
    response: BoltResponse | None,
    logger: logging.Logger,
) -> BoltResponse | None:
    """Log the error without payload text and answer in the HTTP response when there is one."""
    if not is_verified(context):
        # Never act on a body nobody has verified: no message, no call, only 401.
        logger.warning("error before the request was verified: %s", type(error).__name__)
        return unverified_response() if response is not None else None
    kind = kind_of(body)
    logger.error("request failed before its listener on a %s: %r", kind, error, exc_info=error)
    if response is None:
        return None
    if kind == "slash_command":
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": USER_MESSAGE})
    if kind == "view_submission":
        return BoltResponse(
            status=200, body={"response_action": "errors", "errors": {"text": USER_MESSAGE[:150]}}
        )
    return BoltResponse(status=200, body="")


def register(app: App) -> None:
    """Install the error handler."""
    app.error(handle_error)
