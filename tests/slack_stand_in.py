"""A local stand-in for Slack's Web API: real HTTP, recorded calls, scriptable failures.

Modelled on bolt-python's tests/mock_web_api_server: slack_sdk talks to it over a socket
exactly as it would talk to slack.com, so retries, 429 handling and payload encoding are real.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse


@dataclass
class Call:
    """One request the stand-in received."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    """A scripted failure for a method: an error body or an HTTP status, `times` times."""

    error: str | None = None
    status: int = 200
    retry_after: int | None = None
    times: int = 1


Responder = Callable[["SlackStandIn", dict[str, Any]], dict[str, Any]]


class SlackStandIn:
    """Serves Web API methods on 127.0.0.1 at a free port; `base_url` goes to WebClient."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: dict[str, list[Failure]] = {}
        self.responders: dict[str, Responder] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.channel_members: dict[str, list[str]] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.rate_limit_every: dict[str, int] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._condition = threading.Condition(self._lock)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # lifecycle -------------------------------------------------------------------------
    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "hook") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # scripting -------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        error: str | None = None,
        *,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail."""
        with self._lock:
            self.failures.setdefault(method, []).append(Failure(error, status, retry_after, times))

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.failures.clear()

    # inspection ------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until `method` was called `count` times; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                found = [call for call in self.calls if call.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({call.method for call in self.calls})
                    raise AssertionError(
                        f"expected {count} call(s) to {method}, got {len(found)}; saw {seen}"
                    )
                self._condition.wait(remaining)

    def settle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until no call arrived for `quiet` seconds (to assert that nothing more comes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self.calls[-1].at if self.calls else 0.0
            if time.monotonic() - last >= quiet:
                return
            time.sleep(quiet / 3)

    # serving ---------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._condition:
            self.calls.append(call)
            self._condition.notify_all()

    def _scripted_failure(self, method: str) -> Failure | None:
        with self._lock:
            every = self.rate_limit_every.get(method)
            if every and sum(1 for c in self.calls if c.method == method) % every == 0:
                return Failure(status=429, retry_after=1)
            queue = self.failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The success body for a method."""
        if method in self.responders:
            return self.responders[method](self, params)
        n = next(self._counter)
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": "T1",
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "team": "Acme",
            }
        if method in {"chat.postMessage", "chat.update", "chat.postEphemeral"}:
            ts = params.get("ts") or f"{1700000000 + n}.{n:06d}"
            channel = params.get("channel", "C0")
            message = {"ts": ts, "text": params.get("text"), "metadata": params.get("metadata")}
            if method == "chat.postMessage":
                self.history.setdefault(str(channel), []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method in {"views.open", "views.publish", "views.update", "views.push"}:
            view = params.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {"id": f"V{n}", **(view or {})}}
        if method == "usergroups.users.list":
            return {"ok": True, "users": self.usergroups.get(str(params.get("usergroup")), [])}
        if method == "users.info":
            user = str(params.get("user"))
            info = self.users.get(user, {"tz": "UTC", "tz_offset": 0})
            return {"ok": True, "user": {"id": user, "deleted": False, "is_bot": False, **info}}
        if method == "conversations.open":
            users = str(params.get("users", "U0"))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0][1:]}}
        if method == "conversations.members":
            members = self.channel_members.get(str(params.get("channel")), [])
            return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}
        if method == "conversations.history":
            messages = list(reversed(self.history.get(str(params.get("channel")), [])))
            return {"ok": True, "messages": messages, "has_more": False}
        if method == "files.getUploadURLExternal":
            return {
                "ok": True,
                "upload_url": f"http://127.0.0.1:{self.port}/upload/F{n}",
                "file_id": f"F{n}",
            }
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {
                "ok": True,
                "files": [{"id": f.get("id"), "title": f.get("title")} for f in files],
            }
        return {"ok": True}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:  # keep test output quiet
                return

            def _send(
                self, status: int, body: dict[str, Any] | str, headers: dict[str, str] | None = None
            ) -> None:
                raw = (json.dumps(body) if isinstance(body, dict) else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                self._send(404, {"ok": False, "error": "unknown_method"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = urlparse(self.path).path
                content_type = self.headers.get("Content-Type", "")
                params: dict[str, Any]
                if path.startswith("/upload/"):
                    stand_in._record(
                        Call("upload", {"bytes": len(raw), "path": path}, dict(self.headers))
                    )
                    self._send(200, "OK - uploaded")
                    return
                if "json" in content_type:
                    params = json.loads(raw or b"{}")
                elif "multipart" in content_type:
                    params = {"multipart_bytes": len(raw)}
                else:
                    params = dict(parse_qsl(raw.decode()))
                for key in ("blocks", "metadata", "view", "files"):
                    if isinstance(params.get(key), str):
                        with contextlib.suppress(ValueError):
                            params[key] = json.loads(params[key])
                if path.startswith("/response/"):
                    stand_in._record(Call("response_url", params, dict(self.headers)))
                    self._send(200, "ok")
                    return
                method = path.removeprefix("/api/")
                stand_in._record(Call(method, params, dict(self.headers)))
                failure = stand_in._scripted_failure(method)
                if failure is not None:
                    headers = {}
                    if failure.retry_after is not None:
                        headers["Retry-After"] = str(failure.retry_after)
                    body = {"ok": False, "error": failure.error or "ratelimited"}
                    self._send(failure.status, body, headers)
                    return
                auth = self.headers.get("Authorization", "")
                # apps.connections.open takes the app-level token (Socket Mode), the rest a bot's.
                token = "Bearer xapp-" if method == "apps.connections.open" else "Bearer xoxb-"
                if method != "auth.test" and not auth.startswith(token):
                    self._send(200, {"ok": False, "error": "not_authed"})
                    return
                self._send(200, stand_in.answer(method, params))

        return Handler
