"""HTTP mode: a WSGI app serving Slack's requests and a health check, run by waitress."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.request.internals import build_context
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot import __version__
from bot.db.migrate import is_up_to_date
from bot.listeners.signature import first_header, is_signed_by_slack

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_000_000
# waitress takes bodies up to this size off the socket (into a temporary file past 512 KB) so
# that anything over MAX_BODY_BYTES gets a clean 413 instead of a connection reset mid-send.
ACCEPTED_BODY_BYTES = 16_000_000


class PainpointWSGI:
    """Routes `POST /slack/events` to Bolt and `GET /healthz` to a database check."""

    def __init__(self, app: App, engine: Engine, *, signing_secret: str) -> None:
        self._app = app
        self._signing_secret = signing_secret
        self._engine = engine
        self._migrated = False

    def health(self) -> tuple[int, dict[str, str]]:
        """200 once the database answers, is migrated and takes writes, else 503."""
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            if not self._migrated:
                self._migrated = is_up_to_date(self._engine)
        except SQLAlchemyError as exc:
            logger.warning("health check: database unreachable: %s", type(exc).__name__)
            return 503, {"status": "error", "database": "unreachable", "version": __version__}
        if not self._migrated:
            return 503, {"status": "error", "database": "not migrated", "version": __version__}
        try:
            with self._engine.connect() as connection, connection.begin() as transaction:
                # A write that is never kept: reports are writes, so health is about writes.
                connection.execute(
                    text("INSERT INTO request_claims (key, claimed_at) VALUES (:k, :t)"),
                    {"k": f"healthz:{uuid.uuid4()}", "t": datetime.now(UTC)},
                )
                transaction.rollback()
        except SQLAlchemyError as exc:
            logger.warning("health check: database refuses writes: %s", type(exc).__name__)
            return 503, {"status": "error", "database": "read-only", "version": __version__}
        return 200, {"status": "ok", "database": "ok", "version": __version__}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in {"GET", "HEAD"}:
            status, payload = self.health()
            return _json(start_response, status, payload)
        if path == "/slack/events":
            if method != "POST":
                return _json(start_response, 405, {"error": "method not allowed"})
            return self._slack(environ, start_response)
        return _json(start_response, 404, {"error": "not found"})

    def _slack(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Verify the signature on the raw bytes first; only then parse and dispatch."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length > MAX_BODY_BYTES:
            return _json(start_response, 413, {"error": "request too large"})
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        headers = _headers(environ)
        if length < 0 or not is_signed_by_slack(
            self._signing_secret,
            raw,
            first_header(headers, "x-slack-request-timestamp"),
            first_header(headers, "x-slack-signature"),
        ):
            # Nothing from an unverified request is parsed, logged or acted on.
            return _json(start_response, 401, {"error": "invalid request"})
        try:
            response = self._app.dispatch(slack_request(raw.decode("utf-8"), headers))
        except Exception as exc:
            # Bolt parses the body when the request is built and while it routes it, and
            # raises on bodies Slack never sends (not UTF-8, broken JSON, missing fields).
            logger.warning("unreadable signed request on /slack/events: %s", type(exc).__name__)
            return _json(start_response, 400, {"error": "malformed request"})
        return _bolt_reply(start_response, response)


def slack_request(body: str, headers: dict[str, str | Sequence[str]]) -> BoltRequest:
    """Bolt's request for a verified body, with Bolt's form parsing corrected.

    Bolt reads any form body that merely contains the word "payload" (a report saying "the
    payload field is empty") as an interactivity payload, finds none and drops the request.
    A form without a `payload` field is read as the plain form it is.
    """
    request = BoltRequest(body=body, headers=headers)
    if not request.body and body and not body.lstrip().startswith("{"):
        fields = dict(parse_qsl(body, keep_blank_values=True))
        if fields and "payload" not in fields:
            request.body = fields
            request.context = build_context(BoltContext(), fields)
    return request


def _headers(environ: WSGIEnvironment) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {}
    for key, value in environ.items():
        if key in {"CONTENT_LENGTH", "CONTENT_TYPE"} or key.startswith("HTTP_"):
            name = key.removeprefix("HTTP_").lower().replace("_", "-")
            headers[name] = str(value)
    return headers


def _bolt_reply(start_response: StartResponse, response: BoltResponse) -> list[bytes]:
    body = response.body.encode() if isinstance(response.body, str) else bytes(response.body)
    pairs = [
        (name, value)
        for name, values in response.headers.items()
        if name.lower() != "content-length"
        for value in values
    ]
    start_response(
        _status_line(response.status),
        [*pairs, ("Content-Length", str(len(body)))],
    )
    return [body]


def _json(start_response: StartResponse, status: int, payload: dict[str, str]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        _status_line(status),
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def serve(wsgi_app: PainpointWSGI, *, host: str, port: int, threads: int) -> None:
    """Serve with waitress, a production-grade multi-threaded WSGI server."""
    from waitress import serve as waitress_serve

    logger.info("painpoint listening on http://%s:%d/slack/events", host, port)
    waitress_serve(
        wsgi_app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=ACCEPTED_BODY_BYTES,
        ident="painpoint",
        channel_timeout=30,
    )
