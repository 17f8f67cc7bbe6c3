"""HTTP mode: a WSGI app serving Slack's requests and a health check, run by waitress."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot import __version__
from bot.db.migrate import is_up_to_date

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_000_000


class PainpointWSGI:
    """Routes `POST /slack/events` to Bolt and `GET /healthz` to a database check."""

    def __init__(self, app: App, engine: Engine) -> None:
        self._slack = SlackRequestHandler(app, path="/slack/events")
        self._engine = engine
        self._migrated = False

    def health(self) -> tuple[int, dict[str, str]]:
        """200 once the database answers and is at the newest migration, else 503."""
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
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > MAX_BODY_BYTES:
                return _json(start_response, 413, {"error": "request too large"})
            try:
                return self._slack(environ, start_response)
            except Exception as exc:
                # Bolt parses the body before it checks the signature and raises on bodies Slack
                # never sends (broken JSON, a `payload=` that is not JSON, missing fields). The
                # adapter calls start_response only after a successful dispatch, so answer 400.
                logger.warning("unreadable request on /slack/events: %r", exc)
                return _json(start_response, 400, {"error": "malformed request"})
        return _json(start_response, 404, {"error": "not found"})


_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
}


def _json(start_response: StartResponse, status: int, payload: dict[str, str]) -> list[bytes]:
    body = json.dumps(payload).encode()
    reason = _REASONS.get(status, "Service Unavailable")
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def serve(wsgi_app: PainpointWSGI, *, host: str, port: int, threads: int) -> None:
    """Serve with waitress, a production-grade multi-threaded WSGI server."""
    from waitress import serve as waitress_serve

    logger.info("painpoint listening on http://%s:%d/slack/events", host, port)
    waitress_serve(
        wsgi_app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_BODY_BYTES,
        ident="painpoint",
        channel_timeout=30,
    )
