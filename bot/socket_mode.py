"""Socket Mode: one WebSocket to Slack that notices a dead connection within seconds.

slack_sdk's built-in client spins on a connection cut without a close frame (a proxy timeout,
a NAT reset): it reads nothing in a tight loop, burning most of a core, for 40–60 s before it
reconnects (benchmarks/socket_reconnect.py measures both clients).
slack_sdk's websocket-client based client does better on both ways a connection dies:

- cut with a TCP FIN but no close frame: websocket-client reads the end of the stream as a
  close at once, and slack_sdk reconnects on every close (~0.5 s later);
- silent (a black hole: no FIN, nothing answered): we ping every PING_INTERVAL seconds and
  treat a pong missing for PONG_TIMEOUT seconds as a close. websocket-client checks that
  deadline each time its wait for data times out (every PONG_TIMEOUT seconds), against the
  latest ping only, so a dead connection is noticed within PING_INTERVAL + 2 × PONG_TIMEOUT
  seconds as long as PING_INTERVAL > 2 × PONG_TIMEOUT (else the checks can keep falling just
  after the next ping and miss the deadline for several rounds).

While Slack refuses new connections (an outage), attempts back off from 0.5 s to RETRY_MAX.
"""

from __future__ import annotations

import logging
import time

import websocket
from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.websocket_client import SocketModeClient

PING_INTERVAL = 4.0
# Slack answers a ping within milliseconds; 1.5 s leave room for a slow network and a busy
# process, and a false alarm only costs a reconnect (unacknowledged envelopes are resent).
PONG_TIMEOUT = 1.5
# Opening a connection (TCP, TLS, WebSocket handshake) may take this long; without a limit a
# server that swallows the connection attempt would hold the reconnect for minutes.
CONNECT_TIMEOUT = 10.0
# Pauses between failed connection attempts: 0.5 s, doubling, at most RETRY_MAX (so a server
# back from an outage is found within RETRY_MAX + 0.5 s).
RETRY_FIRST = 0.5
RETRY_MAX = 5.0


class PongDeadlineClient(SocketModeClient):
    """slack_sdk's websocket-client Socket Mode client, with a deadline for pongs.

    The subclass exists for two things slack_sdk (3.x) has no setting for:
    - `_run_current_session` passes `ping_interval` but no `ping_timeout` to
      `WebSocketApp.run_forever`, and without one websocket-client never checks that pongs
      come back, so a silent connection is never noticed;
    - every close asks `apps.connections.open` (Tier 1) for a new URL at once, so while
      Slack refuses connections it would be asked twice a second; failed attempts back off.
    Everything else (reconnect on close, the session monitor, acks) is slack_sdk's.
    """

    def __init__(
        self,
        app_token: str,
        *,
        web_client: WebClient,
        logger: logging.Logger,
        ping_interval: float = PING_INTERVAL,
        pong_timeout: float = PONG_TIMEOUT,
        concurrency: int = 10,
    ) -> None:
        if not 0 < 2 * pong_timeout < ping_interval:
            raise ValueError("pong_timeout must be positive and under half the ping_interval")
        # Set before slack_sdk's constructor: it starts the thread that runs sessions.
        self.pong_timeout = pong_timeout
        # Connections tried since the last one that opened: the backoff's exponent.
        self.attempts_since_open = 0
        super().__init__(
            app_token=app_token,
            logger=logger,
            web_client=web_client,
            ping_interval=ping_interval,
            concurrency=concurrency,
            on_open_listeners=[self._opened],
            on_error_listeners=[_abort_silent_connection],
        )

    def _opened(self, _session: websocket.WebSocketApp) -> None:
        self.attempts_since_open = 0

    def issue_new_wss_url(self) -> str:
        """A new URL from `apps.connections.open`, after a pause if the last attempt failed."""
        if self.attempts_since_open:
            time.sleep(min(RETRY_FIRST * 2 ** (self.attempts_since_open - 1), RETRY_MAX))
        url: str = super().issue_new_wss_url()
        return url

    def _run_current_session(self) -> None:
        # slack_sdk's own method with `ping_timeout` added and attempts counted (proxies are
        # left to websocket-client's environment handling); its session runner calls it every
        # 0.5 s.
        session = self.current_session
        if session is None:
            return
        try:
            self.logger.info("Starting to receive messages from a new connection")
            self.attempts_since_open += 1
            session.run_forever(ping_interval=self.ping_interval, ping_timeout=self.pong_timeout)
            self.logger.info("Stopped receiving messages from a connection")
        except Exception as exc:
            self.logger.exception("Failed to start or stop the current session: %r", exc)
            # Closed, the session is found dead by slack_sdk's monitor, which reconnects.
            if self.current_session is not None:
                self.current_session.close()


def _abort_silent_connection(session: websocket.WebSocketApp, error: Exception) -> None:
    """On a missed pong, drop the socket at once.

    websocket-client then closes the connection politely: it sends a close frame and waits up
    to 3 s for the answer, which a silent peer never sends. Aborted, that wait ends at once.
    Other errors (a failing callback, say) leave a healthy connection alone.
    """
    if isinstance(error, websocket.WebSocketTimeoutException) and session.sock is not None:
        session.sock.abort()  # type: ignore[no-untyped-call]


class _Handler(SocketModeHandler):
    """Bolt's websocket-client adapter around our client.

    Bolt's constructor builds slack_sdk's client itself, with no way to pass one in, so this
    one sets the same three attributes and reuses Bolt's `handle` (dispatch, then ack).
    """

    def __init__(self, app: App, client: PongDeadlineClient) -> None:
        self.app = app
        self.app_token = client.app_token
        self.client = client
        client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]


def build_handler(
    app: App,
    app_token: str,
    *,
    ping_interval: float = PING_INTERVAL,
    pong_timeout: float = PONG_TIMEOUT,
) -> SocketModeHandler:
    """A Bolt Socket Mode handler for `app`; `connect()` it, or `start()` to serve until exit."""
    # A process-wide setting of websocket-client (its documented way to bound connecting);
    # this process opens no other WebSockets.
    websocket.setdefaulttimeout(CONNECT_TIMEOUT)
    client = PongDeadlineClient(
        app_token,
        web_client=app.client,
        logger=logging.getLogger("painpoint.socket_mode"),
        ping_interval=ping_interval,
        pong_timeout=pong_timeout,
    )
    return _Handler(app, client)


def serve_socket_mode(app: App, app_token: str) -> None:
    """Serve Slack over Socket Mode until SIGTERM/SIGINT, then close the connection."""
    handler = build_handler(app, app_token)
    try:
        handler.start()  # type: ignore[no-untyped-call]
    finally:
        handler.close()  # type: ignore[no-untyped-call]
