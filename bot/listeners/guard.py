"""Every listener runs inside `guarded`: a failure is logged and answered here, never by Bolt.

Bolt's own error path cannot answer an already acknowledged request safely: it hands the
error handler no response, then writes the handler's `None` over the acknowledgement, so the
request thread may miss the ack and Slack gets a 404 after three seconds. Catching the error
inside the listener keeps the acknowledgement as it was, and the person still hears of the
failure through the channel that works: the HTTP answer when nothing was acknowledged yet,
the response URL, the modal, or a DM.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from slack_bolt.context.respond import Respond
from slack_bolt.kwargs_injection.args import Args
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ids
from bot.blocks.common import confirmation_view, notice
from bot.domain.text import without_row_values

USER_MESSAGE = (
    "Sorry, something went wrong on our side: please try again in a minute. If it keeps "
    "happening, tell the people who run painpoint."
)
Listener = Callable[..., None]


def guarded(listener: Listener) -> Callable[[Args], None]:
    """Wrap a listener that takes Bolt's named arguments so that it cannot fail unanswered."""
    wanted = list(inspect.signature(listener).parameters)

    @functools.wraps(listener, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
    def run(args: Args) -> None:
        try:
            listener(**{name: getattr(args, name) for name in wanted})
        except Exception as error:
            answer_failure(args, error)

    # Bolt reads the wrapper's own parameters (`args`), not the listener's.
    del run.__dict__["__wrapped__"]
    return run


def kind_of(body: dict[str, Any]) -> str:
    """The kind of request: slash_command, event_callback, block_actions, view_submission…"""
    return str(body.get("type") or ("slash_command" if "command" in body else "unknown"))


def answer_failure(args: Args, error: Exception) -> None:
    """Log without payload text, then tell the person through whatever still works."""
    body = args.body
    kind = kind_of(body)
    args.logger.error(
        "listener failed on a %s request: %s",
        kind,
        without_row_values(repr(error)),
        exc_info=error,
    )
    if args.ack.response is None:
        # Nothing acknowledged yet: the HTTP answer itself carries the message.
        if kind == "slash_command":
            args.ack(text=USER_MESSAGE, response_type="ephemeral")
            return
        if kind == "view_submission":
            args.ack(response_action="errors", errors={_first_input(body): USER_MESSAGE[:150]})
            return
        args.ack()
    try:
        tell(body, args.client, args.respond, USER_MESSAGE)
    except SlackApiError as exc:
        args.logger.warning(
            "could not tell the user about the error: %s", exc.response.get("error")
        )


_SPENT_TRIGGER = {"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"}


def tell(
    body: dict[str, Any], client: WebClient, respond: Respond, text: str, *, title: str = "Sorry"
) -> None:
    """Say one thing to the person behind this request, wherever Slack lets us.

    A response URL when there is one; inside a modal, a small modal pushed on top of it (a
    direct message once its trigger is spent); in a DM conversation, a reply in the
    message's thread; otherwise a direct message. ``title`` heads the pushed modal: a
    refusal says "Sorry", a change that was made says "Done".
    """
    message, blocks = notice(text)
    if body.get("response_url"):
        respond(text=message, blocks=blocks, response_type="ephemeral", replace_original=False)
        return
    if body.get("view") and body.get("trigger_id") and kind_of(body) == "block_actions":
        try:
            client.views_push(trigger_id=body["trigger_id"], view=confirmation_view(title, text))
            return
        except SlackApiError as exc:
            # A trigger lasts 3 s and works once: after slow work, say it in a DM instead.
            if exc.response.get("error") not in _SPENT_TRIGGER:
                raise
    event = body.get("event") or {}
    if kind_of(body) == "event_callback":
        if _is_person_in_dm(event):
            client.chat_postMessage(
                channel=str(event["channel"]),
                thread_ts=str(event.get("thread_ts") or event["ts"]),
                text=message,
                blocks=blocks,
            )
        return  # App Home and other events have nobody to answer in place.
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    if user:
        client.chat_postMessage(channel=str(user), text=message, blocks=blocks)


def _first_input(body: dict[str, Any]) -> str:
    for block in (body.get("view") or {}).get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return ids.REPORT_TEXT


def _is_person_in_dm(event: dict[str, Any]) -> bool:
    return bool(
        event.get("type") == "message"
        and event.get("channel_type") == "im"
        and event.get("user")
        and not event.get("bot_id")
        and event.get("channel")
        and event.get("ts")
    )
