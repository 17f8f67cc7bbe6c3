"""The edge: every verified request is normalised before any listener sees it.

Strings lose what no database can store (NUL, lone surrogates); a request whose acting user
is not a Slack user id, or whose message text is not text, is answered and goes no further,
so nothing is stored from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse

from bot.domain.text import is_user_id, storable
from bot.listeners.commands.parse import PAINPOINT_COMMAND, parse_command_text
from bot.listeners.context import deps_of

INTERACTIONS = {"view_submission", "block_actions", "message_action", "shortcut"}
WHO_ARE_YOU = (
    "Sorry, I could not tell who sent this, so nothing was recorded. Please try again from "
    "your own Slack account."
)


def clean(value: Any) -> Any:
    """The same structure with every string made storable."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


def acting_user(body: dict[str, Any]) -> tuple[bool, object]:
    """(whether the request names an acting user, that user) — for commands, interactions and
    message events; other events (App Home, …) carry their user elsewhere or not at all."""
    if "command" in body:
        return True, body.get("user_id")
    user = body.get("user")
    if isinstance(user, dict):
        return True, user.get("id")
    event = body.get("event")
    if isinstance(event, dict) and event.get("type") == "message" and "user" in event:
        return True, event.get("user")
    return False, None


def normalise_request(
    req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
) -> BoltResponse:
    """Bolt middleware: clean the payload in place; refuse what no listener should act on."""
    del resp
    body = req.body
    cleaned = clean(body)
    body.clear()
    body.update(cleaned)
    names_user, user = acting_user(body)
    if names_user and not is_user_id(user):
        if "command" in body:
            return BoltResponse(
                status=200, body={"response_type": "ephemeral", "text": WHO_ARE_YOU}
            )
        return BoltResponse(status=200, body="")
    _typed_form_values(body)
    if "event_id" in body and not isinstance(body["event_id"], str):
        return BoltResponse(status=200, body="")  # Slack's event ids are strings
    event = body.get("event")
    if isinstance(event, dict) and event.get("type") == "message":
        fields = ("text", "ts", "thread_ts", "channel", "channel_type", "subtype")
        if any(not isinstance(event.get(name), str | None) for name in fields):
            return BoltResponse(status=200, body="")  # Slack sends these as text, always
    return next()


def refuse_replays(
    req: BoltRequest, context: BoltContext, next: Callable[[], BoltResponse]
) -> BoltResponse:
    """Bolt middleware: a slash command, form submission or button click is acted on once,
    however often the same signed request arrives (replays within Slack's five-minute window).
    Each carries its own trigger id, so two real requests never share a body."""
    if req.body.get("type") not in INTERACTIONS and not _claimed_command(req.body, context):
        return next()
    # Socket Mode payloads arrive as objects with no raw body: their canonical JSON stands in.
    raw = req.raw_body or json.dumps(req.body, sort_keys=True, separators=(",", ":"))
    key = "interaction:" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    if not deps_of(context).claims.claim(key):
        return BoltResponse(status=200, body="")
    return next()


def _claimed_command(body: dict[str, Any], context: BoltContext) -> bool:
    """A slash command, except a report while reports have a duplicate window: the same text
    from the same person is then stored once anyway, and a claim would put a second write on
    the acknowledgement path of every report."""
    if "command" not in body:
        return False
    text = str(body.get("text") or "")
    if body.get("command") != PAINPOINT_COMMAND or not text.strip():
        return True
    if parse_command_text(text).name != "":
        return True
    return deps_of(context).settings.duplicate_window_hours == 0


def _typed_form_values(body: dict[str, Any]) -> None:
    """A form's typed values are strings (or empty); anything else is dropped, so a list or a
    number never becomes text through `str()`."""
    view = body.get("view")
    state = view.get("state") if isinstance(view, dict) else None
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return
    for block in values.values():
        for action in block.values() if isinstance(block, dict) else ():
            if isinstance(action, dict) and not isinstance(action.get("value"), str | None):
                action["value"] = None
