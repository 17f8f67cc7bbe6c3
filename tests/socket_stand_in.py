"""A local stand-in for Slack's Socket Mode: real WebSockets, envelopes, acks, and a network
between bot and server that a test can cut.

`apps.connections.open` is answered by the Web API stand-in (`SlackStandIn.responders`) with a
`ws://` URL. That URL points at a TCP relay, and the relay at a WebSocket server (the
`websockets` package) that speaks Slack's envelope protocol: `hello` on connect, then
`events_api` / `slash_commands` / `interactive` envelopes, each with an `envelope_id` the client
acknowledges. The relay is the network: `cut()` drops the newest connection with a TCP FIN and
no close frame (a proxy timeout, a NAT reset), `black_hole()` makes it silent without any FIN
(nothing is answered, pings included), and `refuse_connections()` turns the server away.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import queue
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests.slack_stand_in import SlackStandIn


@dataclass
class Ack:
    """An envelope acknowledgement the client sent back."""

    envelope_id: str
    payload: dict[str, Any] | None
    connection: int  # which connection (1, 2, …) it arrived on
    at: float = field(default_factory=time.monotonic)


class _Link:
    """One relayed connection: client socket ↔ upstream socket to the WebSocket server."""

    def __init__(self, number: int, client: socket.socket, upstream: socket.socket) -> None:
        self.number = number
        self.client = client
        self.upstream = upstream
        self.silent = False  # black-holed: bytes are swallowed both ways, nothing is closed
        self.closed = False

    def pump(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            if self.silent:
                continue
            try:
                target.sendall(data)
            except OSError:
                break
        if not self.silent:
            self.close()

    def close(self) -> None:
        """FIN both ways, no WebSocket close frame."""
        self.closed = True
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    @property
    def live(self) -> bool:
        return not self.silent and not self.closed


class SocketStandIn:
    """Slack's Socket Mode server on 127.0.0.1 (free ports), wired into a Web API stand-in."""

    def __init__(self, web: SlackStandIn) -> None:
        self.web = web
        self.acks: list[Ack] = []
        self.hellos: list[float] = []  # when each connection got its hello
        self.refusing = False
        self._pending: queue.Queue[dict[str, Any]] = queue.Queue()
        self._links: dict[int, _Link] = {}  # by the upstream socket's local port
        self._in_flight: dict[str, tuple[dict[str, Any], _Link]] = {}  # sent, not yet acked
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._condition = threading.Condition(self._lock)
        self._stopped = threading.Event()
        # Pings are the client's job here (as with Slack's servers, which answer them).
        self._server: Server = serve(self._session, "127.0.0.1", 0, ping_interval=None)
        self._relay = socket.create_server(("127.0.0.1", 0))
        self._threads = [
            threading.Thread(target=self._server.serve_forever, daemon=True),
            threading.Thread(target=self._accept, daemon=True),
        ]
        web.responders["apps.connections.open"] = self._open

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> SocketStandIn:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self.web.responders.pop("apps.connections.open", None)
        with contextlib.suppress(OSError):
            self._relay.close()
        for link in list(self._links.values()):
            link.close()
        self._server.shutdown()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._relay.getsockname()[1]}/link/"

    def _open(self, _web: SlackStandIn, _params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"{self.url}?ticket={uuid.uuid4()}"}

    # the network -------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._relay.accept()
            except OSError:
                return
            if self.refusing:
                client.close()  # the server is down: a connection, then nothing but a FIN
                continue
            upstream = socket.create_connection(self._server.socket.getsockname()[:2])
            link = _Link(next(self._numbers), client, upstream)
            with self._lock:
                self._links[upstream.getsockname()[1]] = link
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=link.pump, args=(source, target), daemon=True).start()

    def _newest(self) -> _Link | None:
        with self._lock:
            return max(self._links.values(), key=lambda link: link.number, default=None)

    def cut(self) -> float:
        """Drop the newest connection with a FIN and no close frame; returns when (monotonic)."""
        link = self._newest()
        assert link is not None, "nothing to cut: no connection yet"
        link.close()
        return time.monotonic()

    def black_hole(self) -> float:
        """Make the newest connection silent without closing it; returns when (monotonic)."""
        link = self._newest()
        assert link is not None, "nothing to black-hole: no connection yet"
        link.silent = True
        return time.monotonic()

    def refuse_connections(self, refuse: bool = True) -> None:
        """While set, every new WebSocket connection is closed at once (a server outage)."""
        self.refusing = refuse

    @property
    def connections(self) -> int:
        """How many connections got their hello so far."""
        with self._lock:
            return len(self.hellos)

    # the Socket Mode protocol ------------------------------------------------------------
    def _session(self, connection: ServerConnection) -> None:
        with self._lock:
            link = self._links.get(connection.remote_address[1])
        if link is None:
            return
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "stand-in", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": "A1"},
                }
            )
        )
        with self._condition:
            self.hellos.append(time.monotonic())
            self._condition.notify_all()
        threading.Thread(target=self._read_acks, args=(connection, link), daemon=True).start()
        while link.live and not self._stopped.is_set():
            if self._newest() is not link:
                time.sleep(0.02)  # an older connection: envelopes go to the newest one
                continue
            self._redeliver_lost()
            try:
                envelope = self._pending.get(timeout=0.02)
            except queue.Empty:
                continue
            with self._lock:
                self._in_flight[envelope["envelope_id"]] = (envelope, link)
            try:
                connection.send(json.dumps(envelope))
            except ConnectionClosed:
                return  # the next connection delivers it again

    def _redeliver_lost(self) -> None:
        """Like Slack: an envelope sent on a connection that died unacknowledged is sent again."""
        with self._lock:
            lost = [e for e, link in self._in_flight.values() if not link.live]
            for envelope in lost:
                del self._in_flight[envelope["envelope_id"]]
        for envelope in lost:
            self._pending.put(
                {
                    **envelope,
                    "retry_attempt": envelope["retry_attempt"] + 1,
                    "retry_reason": "timeout",
                }
            )

    def _read_acks(self, connection: ServerConnection, link: _Link) -> None:
        with contextlib.suppress(ConnectionClosed, OSError):
            for message in connection:
                data = json.loads(message)
                if "envelope_id" in data:
                    ack = Ack(str(data["envelope_id"]), data.get("payload"), link.number)
                    with self._condition:
                        self._in_flight.pop(ack.envelope_id, None)
                        self.acks.append(ack)
                        self._condition.notify_all()

    def send(self, envelope_type: str, payload: dict[str, Any]) -> str:
        """Deliver an envelope on the newest live connection (or the next one); its id."""
        envelope_id = str(uuid.uuid4())
        self._pending.put(
            {
                "envelope_id": envelope_id,
                "type": envelope_type,
                "payload": payload,
                "accepts_response_payload": envelope_type != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 30.0) -> Ack:
        """The acknowledgement of an envelope, once it has arrived."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                for ack in self.acks:
                    if ack.envelope_id == envelope_id:
                        return ack
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no ack for envelope {envelope_id} in {timeout} s")
                self._condition.wait(remaining)

    def wait_connections(self, count: int, timeout: float = 30.0) -> None:
        """Block until `count` connections have had their hello."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(self.hellos) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} connection(s), got {len(self.hellos)}")
                self._condition.wait(remaining)
