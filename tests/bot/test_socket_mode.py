"""Socket Mode against a local Socket Mode stand-in: envelopes acked, dead connections replaced.

The connection is broken the two ways a network breaks it without a WebSocket close frame:
a TCP FIN (a proxy or NAT dropping it) and silence (no FIN, nothing answered). Each time the
next envelope must be acknowledged on a new connection. How long that takes is printed, not
asserted (this machine is shared); benchmarks/socket_reconnect.py measures it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk import WebClient

from bot.db.session import SessionFactory
from bot.socket_mode import PongDeadlineClient, build_handler
from tests.slack_requests import dm_event, event_body, message_shortcut, slash_body
from tests.slack_stand_in import SlackStandIn
from tests.socket_stand_in import SocketStandIn
from tests.stored import count_painpoints


def slash_payload(text: str) -> dict[str, Any]:
    """A slash command as a Socket Mode envelope carries it: the form fields as a dict."""
    return dict(parse_qsl(slash_body(text)))


def dm_payload(text: str) -> dict[str, Any]:
    """A DM event as a Socket Mode envelope carries it: the Events API body."""
    payload: dict[str, Any] = json.loads(event_body(dm_event(text)))
    return payload


@pytest.fixture
def socket_server(stand_in: SlackStandIn) -> Iterator[SocketStandIn]:
    server = SocketStandIn(stand_in).start()
    yield server
    server.stop()


@pytest.fixture
def handler(app: App, socket_server: SocketStandIn) -> Iterator[SocketModeHandler]:
    handler = build_handler(app, "xapp-1-test")
    handler.connect()  # type: ignore[no-untyped-call]
    socket_server.wait_connections(1)
    yield handler
    handler.close()  # type: ignore[no-untyped-call]


def test_a_slash_command_and_a_dm_are_acknowledged_and_stored(
    socket_server: SocketStandIn, handler: SocketModeHandler, session_factory: SessionFactory
) -> None:
    command = socket_server.wait_ack(socket_server.send("slash_commands", slash_payload("VPN")))
    event = socket_server.wait_ack(socket_server.send("events_api", dm_payload("Invoices")))

    assert command.payload and "recorded" in command.payload["text"]  # the receipt, in the ack
    assert event.connection == command.connection == 1
    assert count_painpoints(session_factory) == 2


def test_every_interaction_is_acted_on_and_a_redelivered_one_once(
    socket_server: SocketStandIn, handler: SocketModeHandler, stand_in: SlackStandIn
) -> None:
    # Socket Mode payloads come as JSON objects, with no raw body to tell replays apart by.
    first, second = message_shortcut("The VPN drops"), message_shortcut("Invoices by hand")
    for payload in (first, second, first):  # the first is delivered again
        socket_server.wait_ack(socket_server.send("interactive", payload))

    stand_in.settle()
    forms = [call.params["trigger_id"] for call in stand_in.calls_to("views.open")]
    assert forms == [first["trigger_id"], second["trigger_id"]]


@pytest.mark.parametrize("break_connection", ["cut", "black_hole"])
def test_a_connection_dropped_without_a_close_frame_is_replaced(
    socket_server: SocketStandIn,
    handler: SocketModeHandler,
    session_factory: SessionFactory,
    break_connection: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = socket_server.wait_ack(socket_server.send("slash_commands", slash_payload("VPN")))

    broken_at: float = getattr(socket_server, break_connection)()
    after = socket_server.wait_ack(
        socket_server.send("events_api", dm_payload("Invoices by hand")), timeout=60
    )

    assert (before.connection, after.connection) == (1, 2)
    assert count_painpoints(session_factory) == 2
    with capsys.disabled():
        print(
            f"\n{break_connection}: acknowledged on a new connection {after.at - broken_at:.1f} s later"
        )


def test_reconnecting_goes_on_until_the_server_takes_connections_again(
    socket_server: SocketStandIn, handler: SocketModeHandler, stand_in: SlackStandIn
) -> None:
    socket_server.refuse_connections()
    socket_server.cut()
    envelope_id = socket_server.send("events_api", dm_payload("Invoices by hand"))
    time.sleep(3)
    socket_server.refuse_connections(False)

    assert socket_server.wait_ack(envelope_id, timeout=60).connection > 1
    # Each refused attempt asked for a new URL; the pauses between them keep that to a few.
    assert len(stand_in.calls_to("apps.connections.open")) <= 8


def test_the_client_checks_pongs_within_each_ping_interval() -> None:
    with pytest.raises(ValueError, match="pong_timeout"):
        PongDeadlineClient(
            "xapp-1",
            web_client=WebClient(),
            logger=logging.getLogger(),
            ping_interval=3,
            pong_timeout=1.5,
        )
