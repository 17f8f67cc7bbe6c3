"""Nothing unverified acts: every malformed signature header gets 401, no listener, no call."""

from __future__ import annotations

import json
import time

import pytest
from slack_bolt import App, BoltRequest

from bot.db.session import SessionFactory
from bot.listeners.signature import is_signed_by_slack
from tests.slack_requests import (
    SIGNING_SECRET,
    block_action,
    dm_event,
    drain,
    event_body,
    interactive_body,
    sign,
    slash_body,
)
from tests.slack_stand_in import SlackStandIn
from tests.stored import count_painpoints

NOW = int(time.time())  # only for the shape of malformed values; fresh ones use `fresh()`
GOOD = sign("x", timestamp=NOW)["x-slack-signature"]

# Each is (timestamp header, signature header); None leaves the header out.
MALFORMED_HEADERS = {
    "timestamp abc": ("abc", None),
    "timestamp 1.5": ("1.5", None),
    "timestamp empty": ("", None),
    "timestamp with spaces": (f" {NOW} ", None),
    "timestamp with plus": (f"+{NOW}", None),
    "timestamp with underscores": (f"{NOW:_}", None),
    "timestamp in arabic digits": ("".join(chr(0x0660 + int(d)) for d in str(NOW)), None),
    "timestamp negative": ("-1", None),
    "timestamp huge": ("9" * 40, None),
    "timestamp missing": (None, None),
    "timestamp stale": ("now-400", None),
    "timestamp from the future": ("now+400", None),
    "signature missing": (str(NOW), ""),
    "signature empty": (str(NOW), "v0="),
    "signature other version": (str(NOW), "v1=" + "0" * 64),
    "signature not hex": (str(NOW), "v0=" + "z" * 64),
    "signature upper case": (str(NOW), "UPPER"),
    "signature non-ascii": (str(NOW), "v0=" + "é" * 64),
    "signature too long": (str(NOW), GOOD + "00"),
    "signature of another body": (str(NOW), GOOD),
}

# Bodies that name a channel or a user: the old error handler posted "Sorry…" to them.
BODIES = {
    "command": (slash_body("Invoices by hand"), "application/x-www-form-urlencoded"),
    "event naming a user as channel": (
        event_body(dm_event("Invoices by hand", user="U0000002") | {"channel": "U0000002"}),
        "application/json",
    ),
    "action": (
        interactive_body(block_action("painpoint_undo", "1")),
        "application/x-www-form-urlencoded",
    ),
}


def fresh(timestamp: str | None) -> str | None:
    """`now-400` / `now+400` read at the moment of the request, anything else as is."""
    if timestamp and timestamp.startswith("now"):
        return str(int(time.time()) + int(timestamp[3:]))
    return timestamp


def headers_for(body: str, content_type: str, timestamp: str | None, signature: str | None):
    timestamp = fresh(timestamp)
    headers = {"content-type": content_type}
    if timestamp is not None:
        headers["x-slack-request-timestamp"] = timestamp
    if signature == "UPPER":
        signature = sign(body, timestamp=NOW)["x-slack-signature"].upper().replace("V0=", "v0=")
    elif signature is None and timestamp is not None:
        # A signature computed the way Slack would, over the malformed timestamp.
        import hashlib
        import hmac

        digest = hmac.new(
            SIGNING_SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256
        ).hexdigest()
        signature = f"v0={digest}"
    if signature:
        headers["x-slack-signature"] = signature
    return headers


@pytest.mark.parametrize("form", MALFORMED_HEADERS.values(), ids=MALFORMED_HEADERS)
@pytest.mark.parametrize(("body", "content_type"), BODIES.values(), ids=BODIES)
def test_malformed_signature_headers_get_401_and_nothing_acts(
    app: App,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    form: tuple[str | None, str | None],
    body: str,
    content_type: str,
) -> None:
    timestamp, signature = form
    headers = headers_for(body, content_type, timestamp, signature)

    response = app.dispatch(BoltRequest(body=body, headers=headers))

    assert response.status == 401
    drain(app)
    assert count_painpoints(session_factory) == 0
    assert {call.method for call in stand_in.calls} <= {"auth.test"}


def test_a_correct_signature_still_passes(app: App, session_factory: SessionFactory) -> None:
    body = slash_body("Invoices are keyed in by hand")
    headers = {"content-type": "application/x-www-form-urlencoded", **sign(body)}

    response = app.dispatch(BoltRequest(body=body, headers=headers))

    assert response.status == 200
    assert "recorded" in json.loads(response.body)["text"].lower()
    assert count_painpoints(session_factory) == 1


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [(t, s) for t, s in MALFORMED_HEADERS.values()],
)
def test_the_check_never_raises(timestamp: str | None, signature: str | None) -> None:
    timestamp = fresh(timestamp)
    assert is_signed_by_slack(SIGNING_SECRET, b"\xff\xfe body", timestamp, signature) is False


def test_the_check_accepts_exactly_slacks_signature() -> None:
    body = "token=x&text=hello"
    headers = sign(body, timestamp=NOW)
    ts, sig = headers["x-slack-request-timestamp"], headers["x-slack-signature"]
    assert is_signed_by_slack(SIGNING_SECRET, body, ts, sig, now=NOW)
    assert is_signed_by_slack(SIGNING_SECRET, body.encode(), ts, sig, now=NOW + 299)
    assert not is_signed_by_slack(SIGNING_SECRET, body, ts, sig, now=NOW + 301)
    assert not is_signed_by_slack("another-secret", body, ts, sig, now=NOW)
    assert not is_signed_by_slack("", body, ts, sig, now=NOW)
