"""HTTP mode over a real socket: PainpointWSGI served by waitress on a free port."""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import waitress
from slack_bolt import App
from sqlalchemy import Engine, create_engine
from waitress import wasyncore

from bot.app import create_app
from bot.db.session import SessionFactory, make_engine, make_session_factory
from bot.server import ACCEPTED_BODY_BYTES, MAX_BODY_BYTES, PainpointWSGI
from bot.services.capture import CaptureService
from bot.settings import Settings
from bot.slack.client import make_client
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
from tests.stored import count_painpoints, painpoints

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Server:
    """A PainpointWSGI app served by waitress in a thread on 127.0.0.1 and a free port."""

    def __init__(self, app: App, engine: Engine) -> None:
        self._server = waitress.create_server(
            PainpointWSGI(app, engine, signing_secret=SIGNING_SECRET),
            host="127.0.0.1",
            port=0,
            threads=2,
            max_request_body_size=ACCEPTED_BODY_BYTES,
        )
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        # waitress's own run() loop can only be stopped by closing its sockets from another
        # thread, which breaks its select(); this loop stops on a flag and closes them itself.
        while not self._stop.is_set():
            wasyncore.loop(timeout=0.05, map=self._server._map, count=1)  # type: ignore[union-attr]
        self._server.close()
        self._server.task_dispatcher.shutdown()  # type: ignore[union-attr]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def request(
        self,
        method: str,
        path: str,
        body: str | bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, response.read())
        finally:
            connection.close()

    def post(
        self,
        body: str,
        content_type: str,
        *,
        signed: bool = True,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if signed:
            all_headers.update(sign(body, secret, timestamp))
        return self.request("POST", "/slack/events", body.encode(), all_headers)


def serve(app: App, engine: Engine) -> Iterator[Server]:
    server = Server(app, engine)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def engine_of(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def server(app: App, engine_of: Engine) -> Iterator[Server]:
    yield from serve(app, engine_of)


# --- the happy path ------------------------------------------------------------------------


def test_a_signed_command_over_http_is_recorded(
    server: Server, session_factory: SessionFactory
) -> None:
    reply = server.post(slash_body("Timesheets are entered twice"), FORM)

    assert reply.status == 200
    [row] = painpoints(session_factory)
    assert row.text == "Timesheets are entered twice"
    assert f"#{row.id}" in reply.json()["text"]


def test_a_dm_event_and_its_retry_over_http_store_one_row(
    server: Server, app: App, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    body = event_body(dm_event("The build takes an hour"), event_id="EvHTTP1")

    assert server.post(body, JSON).status == 200
    stand_in.wait_for("chat.postMessage")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert server.post(body, JSON, headers=retry).status == 200
    drain(app)

    assert count_painpoints(session_factory) == 1
    assert len(stand_in.calls_to("chat.postMessage")) == 1


def test_url_verification_answers_the_challenge(server: Server) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "legacy"})
    reply = server.post(body, JSON)
    assert reply.status == 200
    assert reply.json()["challenge"] == "abc123"


# --- signatures ----------------------------------------------------------------------------

SIGNED_BODIES = {
    "command": (slash_body("Invoices by hand"), FORM),
    "event": (event_body(dm_event("Invoices by hand")), JSON),
    "action": (interactive_body(block_action("painpoint_undo", "1")), FORM),
}


@pytest.mark.parametrize(("body", "content_type"), SIGNED_BODIES.values(), ids=SIGNED_BODIES)
def test_bad_stale_and_missing_signatures_get_401_over_http(
    server: Server,
    app: App,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    body: str,
    content_type: str,
) -> None:
    stale = int(time.time()) - 5 * 60 - 30
    assert server.post(body, content_type, secret="not-the-signing-secret").status == 401
    assert server.post(body, content_type, timestamp=stale).status == 401
    assert server.post(body, content_type, signed=False).status == 401
    drain(app)
    assert count_painpoints(session_factory) == 0
    assert {call.method for call in stand_in.calls} <= {"auth.test"}


@pytest.mark.parametrize("timestamp", ["abc", "1.5", "", "-1", "9" * 40])
def test_a_malformed_timestamp_gets_401_over_http_and_nothing_is_sent(
    server: Server, app: App, stand_in: SlackStandIn, timestamp: str
) -> None:
    body = event_body(dm_event("hello", user="U0000002") | {"channel": "U0000002"})
    headers = {
        "Content-Type": JSON,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    reply = server.request("POST", "/slack/events", body.encode(), headers)
    assert reply.status == 401
    drain(app)
    assert {call.method for call in stand_in.calls} <= {"auth.test"}


def test_unsigned_invalid_utf8_gets_401_and_is_not_logged(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    body = b"\xff\xfe jane.doe@example.com " + b"A" * 10_000
    reply = server.request("POST", "/slack/events", body, {"Content-Type": JSON})
    assert reply.status == 401
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "jane.doe" not in logged
    assert "AAAA" not in logged


def test_signed_invalid_utf8_gets_400_and_only_the_error_kind_is_logged(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    body = b"\xff\xfe jane.doe@example.com"
    headers = {"Content-Type": JSON, **sign(body.decode("latin-1"))}
    # sign() works on text: re-sign the exact bytes.
    import hashlib
    import hmac

    ts = headers["x-slack-request-timestamp"]
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256)
    headers["x-slack-signature"] = "v0=" + digest.hexdigest()
    reply = server.request("POST", "/slack/events", body, headers)
    assert reply.status == 400
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "jane.doe" not in logged


def test_a_signature_for_another_body_gets_401(server: Server) -> None:
    headers = {"Content-Type": FORM, **sign(slash_body("harmless"))}
    reply = server.request("POST", "/slack/events", slash_body("tampered").encode(), headers)
    assert reply.status == 401


# --- health --------------------------------------------------------------------------------


def test_healthz_is_ok_on_a_migrated_database(server: Server) -> None:
    reply = server.request("GET", "/healthz")
    assert reply.status == 200
    body = reply.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert server.request("HEAD", "/healthz").status == 200


def test_healthz_is_503_on_an_unmigrated_database(app: App, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    for server in serve(app, engine):
        reply = server.request("GET", "/healthz")
        assert reply.status == 503
        assert reply.json()["status"] != "ok"
        assert reply.json()["database"] == "not migrated"
    engine.dispose()


def test_healthz_is_503_when_the_database_is_unreachable(app: App, tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    for server in serve(app, engine):
        reply = server.request("GET", "/healthz")
        assert reply.status == 503
        assert reply.json()["database"] == "unreachable"
    engine.dispose()


# --- other paths and sizes -----------------------------------------------------------------


def test_unknown_paths_and_methods(server: Server) -> None:
    assert server.request("GET", "/slack/events").status == 405
    assert server.request("GET", "/").status == 404
    assert server.request("POST", "/slack/other", b"{}").status == 404


@pytest.mark.parametrize("size", [MAX_BODY_BYTES + 10, 5_000_000])
def test_an_oversized_body_gets_413_not_a_reset(
    server: Server, session_factory: SessionFactory, size: int, caplog: pytest.LogCaptureFixture
) -> None:
    body = slash_body("x" * size)
    reply = server.post(body, FORM, signed=False)
    assert reply.status == 413
    assert server.post(body, FORM).status == 413
    assert count_painpoints(session_factory) == 0
    assert "xxxx" not in "\n".join(record.getMessage() for record in caplog.records)


# --- malformed bodies ----------------------------------------------------------------------

MALFORMED = {
    "empty body": ("", JSON),
    "garbage": ("this is not json {", JSON),
    "broken json object": ('{"type": "event_callback", ', JSON),
    "json list": ("[1, 2, 3]", JSON),
    "json string": ('"hello"', JSON),
    "json null": ("null", JSON),
    "payload not json": ("payload=%7Bnot-json", FORM),
    "empty payload": ("payload=", FORM),
    "payload list": ("payload=%5B1%5D", FORM),
    "event without event": (json.dumps({"type": "event_callback"}), JSON),
    "event without user": (
        json.dumps({"type": "event_callback", "event": {"type": "message", "channel_type": "im"}}),
        JSON,
    ),
    "event of unknown type": (
        json.dumps({"type": "event_callback", "event": {"type": "reaction_added"}}),
        JSON,
    ),
    "command without user": ("command=%2Fpainpoint&text=hello", FORM),
    "command without anything": ("command=%2Fpainpoint", FORM),
    "form of nothing": ("a=b", FORM),
    "view without type": (
        interactive_body({"type": "view_submission", "view": {"callback_id": "painpoint_report"}}),
        FORM,
    ),
    "view without state": (
        interactive_body(
            {
                "type": "view_submission",
                "user": {"id": "U100"},
                "team": {"id": "T1"},
                "view": {"type": "modal", "callback_id": "painpoint_report"},
            }
        ),
        FORM,
    ),
    "action without user": (
        interactive_body({"type": "block_actions", "actions": [{"action_id": "painpoint_undo"}]}),
        FORM,
    ),
    "action without actions": (
        interactive_body({"type": "block_actions", "user": {"id": "U100"}}),
        FORM,
    ),
    "shortcut without message": (
        interactive_body({"type": "message_action", "callback_id": "log_painpoint"}),
        FORM,
    ),
    "binary": ("\x00\x01\x02\xff", "application/octet-stream"),
}


@pytest.mark.parametrize(("body", "content_type"), MALFORMED.values(), ids=MALFORMED)
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_malformed_bodies_never_get_500(
    server: Server,
    session_factory: SessionFactory,
    body: str,
    content_type: str,
    signed: bool,
) -> None:
    reply = server.post(body, content_type, signed=signed)

    assert reply.status < 500, reply.body
    if not signed:
        assert reply.status in {400, 401}
    assert count_painpoints(session_factory) == 0
    # The server is still serving.
    assert server.request("GET", "/healthz").status == 200


def test_a_failing_service_over_http_answers_200_with_a_message(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(CaptureService, "record", explode)
    reply = server.post(slash_body("Invoices by hand"), FORM)
    assert reply.status == 200
    assert "try again" in reply.json()["text"]


# --- a database that refuses writes ---------------------------------------------------------


def _immutable(path: Path, on: bool) -> bool:
    """chattr +i: a file even root cannot write (the closest to a read-only volume here)."""
    result = subprocess.run(
        ["chattr", "+i" if on else "-i", str(path)], capture_output=True, check=False
    )
    return result.returncode == 0


def test_health_is_503_while_sqlite_refuses_writes_and_recovers_without_a_restart(
    settings: Settings, sqlite_url: str
) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    if not _immutable(path, True):
        pytest.skip("chattr +i is not available here (needs root and a file system that has it)")
    try:
        settings = settings.model_copy(update={"database_url": sqlite_url})
        engine = make_engine(sqlite_url)
        session_factory = make_session_factory(engine)
        app = create_app(settings, client=make_client(settings), session_factory=session_factory)
        for server in serve(app, engine):
            reply = server.request("GET", "/healthz")
            assert reply.status == 503
            assert reply.json()["database"] == "read-only"
            refused = server.post(slash_body("Invoices by hand"), FORM)
            assert "try again" in refused.json()["text"]

            assert _immutable(path, False)
            assert server.request("GET", "/healthz").status in {200, 503}
            assert server.request("GET", "/healthz").status == 200
            stored = server.post(slash_body("Invoices by hand"), FORM)
            assert "#1" in stored.json()["text"]
    finally:
        _immutable(path, False)
    assert count_painpoints(session_factory) == 1
    engine.dispose()


def test_a_report_that_mentions_a_payload_is_recorded(
    server: Server, session_factory: SessionFactory
) -> None:
    """Bolt reads any form containing the word "payload" as an interaction; ours does not."""
    reply = server.post(slash_body("The payload field in the SAP export is always empty"), FORM)
    assert reply.status == 200
    assert "#1" in reply.json()["text"]
    [row] = painpoints(session_factory)
    assert row.text == "The payload field in the SAP export is always empty"
