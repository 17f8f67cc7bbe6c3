"""Slack request signatures, checked so that nothing unverified ever acts.

slack_sdk's verifier raises on a timestamp that is not an integer (`abc`, `1.5`) and on a
non-ASCII signature, and Bolt's middleware logs the whole body of every rejected request.
This check never raises and never logs the body; the HTTP server runs it before the body is
parsed, and the app runs it again as its first middleware for any other way in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping, Sequence

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

MAX_AGE_SECONDS = 5 * 60
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
VERIFIED = "painpoint_request_verified"


def is_signed_by_slack(
    secret: str,
    body: bytes | str,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float | None = None,
) -> bool:
    """True only for a well-formed, fresh `v0` signature of exactly this body."""
    if not secret or not isinstance(timestamp, str) or not isinstance(signature, str):
        return False
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    raw = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body
    expected = hmac.new(
        secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(("v0=" + expected).encode(), signature.encode())


def first_header(headers: Mapping[str, str | Sequence[str]], name: str) -> str | None:
    """One header's value from Bolt's or WSGI's header mapping, or None."""
    value = headers.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value[0] if value else None


class SignedRequestsOnly(Middleware):
    """Bolt's first middleware: 401 for any request not signed by Slack, before anything runs.

    Socket Mode requests arrive over Slack's authenticated websocket and carry no signature.
    """

    def __init__(self, signing_secret: str) -> None:
        self._secret = signing_secret

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """Pass signed (or Socket Mode) requests on; answer 401 to everything else."""
        del resp
        if req.mode == "socket_mode" or is_signed_by_slack(
            self._secret,
            req.raw_body,
            first_header(req.headers, "x-slack-request-timestamp"),
            first_header(req.headers, "x-slack-signature"),
        ):
            req.context[VERIFIED] = True
            return next()
        return unverified_response()


def unverified_response() -> BoltResponse:
    """What an unverified request gets: 401 and nothing else."""
    return BoltResponse(status=401, body={"error": "invalid request"})


def is_verified(context: Mapping[str, object]) -> bool:
    """Whether this request passed `SignedRequestsOnly` (the error handler asks first)."""
    return context.get(VERIFIED) is True
