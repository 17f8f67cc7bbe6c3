"""Build Slack requests signed exactly as Slack signs them, for dispatch or for HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import count
from typing import Any
from urllib.parse import quote, urlencode

from slack_bolt import App, BoltRequest, BoltResponse

SIGNING_SECRET = "test-signing-secret-0123456789"
TEAM = "T1"
_ids = count(1)


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers for a raw body."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": ts, "x-slack-signature": f"v0={digest}"}


def slash_body(
    text: str,
    *,
    user: str = "U100",
    command: str = "/painpoint",
    response_url: str = "http://127.0.0.1:9/response/x",
    team: str = TEAM,
) -> str:
    """A form-encoded slash command payload."""
    return urlencode(
        {
            "token": "legacy",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": "C100",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": f"trig-{next(_ids)}",
        }
    )


def interactive_body(payload: dict[str, Any]) -> str:
    """A form-encoded interactivity payload (`payload=<json>`)."""
    return "payload=" + quote(json.dumps(payload))


def event_body(event: dict[str, Any], *, event_id: str | None = None, team: str = TEAM) -> str:
    """An Events API envelope as JSON."""
    return json.dumps(
        {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A1",
            "type": "event_callback",
            "event": event,
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
        }
    )


def dm_event(
    text: str,
    *,
    user: str = "U100",
    ts: str | None = None,
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A `message.im` event from a person."""
    event = {
        "type": "message",
        "channel": "D100",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts or f"{1700000000 + next(_ids)}.000100",
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def block_action(
    action_id: str,
    value: str,
    *,
    user: str = "U100",
    response_url: str = "http://127.0.0.1:9/response/x",
) -> dict[str, Any]:
    """A block_actions payload for one button."""
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A1",
        "trigger_id": f"trig-{next(_ids)}",
        "response_url": response_url,
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "D100"},
        "channel": {"id": "D100"},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "action_ts": "1.2",
            }
        ],
    }


def view_submission(
    view: dict[str, Any], values: dict[str, Any], *, user: str = "U100"
) -> dict[str, Any]:
    """A view_submission payload for a view we built, with the given state values."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A1",
        "trigger_id": f"trig-{next(_ids)}",
        "view": {**view, "id": "V1", "state": {"values": values}},
    }


def message_shortcut(text: str, *, user: str = "U100") -> dict[str, Any]:
    """A message_action payload for the "Log as pain point" shortcut."""
    return {
        "type": "message_action",
        "callback_id": "log_painpoint",
        "team": {"id": TEAM},
        "user": {"id": user, "team_id": TEAM},
        "channel": {"id": "C100"},
        "message": {"type": "message", "user": "U999", "text": text, "ts": "1700000000.1"},
        "response_url": "http://127.0.0.1:9/response/x",
        "trigger_id": f"trig-{next(_ids)}",
        "message_ts": "1700000000.1",
    }


def form_values(
    text: str | None = None,
    *,
    frequency: str | None = None,
    hours: str | None = None,
    category: str | None = None,
    team: str | None = None,
    keep_posted: bool = False,
) -> dict[str, Any]:
    """State values of the report modal, shaped as Slack sends them."""

    def selected(value: str | None) -> dict[str, Any]:
        return {
            "value": {
                "type": "static_select",
                "selected_option": {"value": value} if value else None,
            }
        }

    return {
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "frequency": selected(frequency),
        "hours": {"value": {"type": "number_input", "value": hours}},
        "category": selected(category),
        "team": {"value": {"type": "plain_text_input", "value": team}},
        "keep_posted": {
            "value": {
                "type": "checkboxes",
                "selected_options": [{"value": "yes"}] if keep_posted else [],
            }
        },
    }


class Sender:
    """Dispatches signed requests to an app the way the HTTP adapter would."""

    def __init__(self, app: App, secret: str = SIGNING_SECRET) -> None:
        self.app = app
        self.secret = secret

    def send(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> BoltResponse:
        all_headers = {
            "content-type": content_type,
            **sign(body, self.secret, timestamp),
            **(headers or {}),
        }
        return self.app.dispatch(BoltRequest(body=body, headers=all_headers))

    def command(self, text: str, **kwargs: Any) -> BoltResponse:
        return self.send(slash_body(text, **kwargs), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict[str, Any]) -> BoltResponse:
        return self.send(interactive_body(payload), "application/x-www-form-urlencoded")

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> BoltResponse:
        headers = {}
        if retry_num is not None:
            headers = {"x-slack-retry-num": str(retry_num), "x-slack-retry-reason": "http_timeout"}
        return self.send(event_body(event, event_id=event_id), "application/json", headers)


def app_home_opened(user: str = "U100", tab: str = "home") -> dict[str, Any]:
    """An `app_home_opened` event."""
    return {"type": "app_home_opened", "user": user, "channel": "D100", "tab": tab}


def drain(app: App) -> None:
    """Wait until every listener the app has started has finished.

    Events are acknowledged before their listener runs, so a test that asserts "nothing was
    stored or sent" must first let the listener end. The old executor is swapped for a fresh
    one, so the app keeps working afterwards.
    """
    runner = app.listener_runner
    old = runner.listener_executor
    runner.listener_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-drain")
    old.shutdown(wait=True)


def response_json(response: BoltResponse) -> dict[str, Any]:
    """The JSON body of an acknowledgement ({} when empty)."""
    return json.loads(response.body) if response.body else {}
