"""The Bolt app as built by create_app: Slack's request signatures are checked (via dispatch)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from slack_bolt import App, BoltRequest

from bot.app import build_deps, create_app
from bot.blocks import capture as blocks
from bot.cli import configure_logging
from bot.db.session import SessionFactory
from bot.settings import Settings
from bot.slack.client import make_client
from tests.slack_requests import (
    Sender,
    dm_event,
    drain,
    event_body,
    form_values,
    message_shortcut,
    slash_body,
    view_submission,
)
from tests.slack_stand_in import SlackStandIn
from tests.stored import count_painpoints

FORM = "application/x-www-form-urlencoded"
NOISY_LOGGERS = ("slack_sdk", "slack_bolt", "painpoint.bolt", "urllib3", "httpx")


def test_a_correctly_signed_request_is_served(
    sender: Sender, session_factory: SessionFactory
) -> None:
    assert sender.command("Reports by hand").status == 200
    assert count_painpoints(session_factory) == 1


def test_a_signature_made_with_another_secret_gets_401(
    app: App, session_factory: SessionFactory
) -> None:
    forger = Sender(app, secret="somebody-elses-signing-secret")
    assert forger.command("Reports by hand").status == 401
    assert count_painpoints(session_factory) == 0


@pytest.mark.parametrize("age", [5 * 60 + 1, 60 * 60, -(5 * 60 + 1)])
def test_a_stale_or_future_timestamp_gets_401(
    sender: Sender, session_factory: SessionFactory, age: int
) -> None:
    response = sender.send(slash_body("Reports by hand"), FORM, timestamp=int(time.time()) - age)
    assert response.status == 401
    assert count_painpoints(session_factory) == 0


def test_a_recent_timestamp_is_accepted(sender: Sender) -> None:
    response = sender.send(slash_body("Reports by hand"), FORM, timestamp=int(time.time()) - 240)
    assert response.status == 200


def test_missing_signature_headers_get_401(
    app: App, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    body = event_body(dm_event("Reports by hand"))
    response = app.dispatch(BoltRequest(body=body, headers={"content-type": "application/json"}))
    drain(app)
    assert response.status == 401
    assert count_painpoints(session_factory) == 0
    assert stand_in.calls_to("chat.postMessage") == []


def test_the_token_is_verified_against_the_web_api_at_start(
    settings: Settings, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    create_app(settings, client=make_client(settings), session_factory=session_factory)
    [call] = stand_in.calls_to("auth.test")
    assert call.headers["Authorization"] == "Bearer xoxb-test-token"


def test_services_refuse_to_start_without_a_secret_key(
    settings: Settings, session_factory: SessionFactory
) -> None:
    keyless = settings.model_copy(update={"secret_key": None})
    with pytest.raises(ValueError, match="PAINPOINT_SECRET_KEY"):
        build_deps(keyless, client=make_client(keyless), session_factory=session_factory)


@pytest.fixture
def debug_logging(settings: Settings, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Logging as `painpoint` configures it, with PAINPOINT_LOG_LEVEL=DEBUG."""
    names = ["", *NOISY_LOGGERS]
    levels = {name: logging.getLogger(name).level for name in names}
    configure_logging(settings.model_copy(update={"log_level": "DEBUG"}))
    caplog.set_level(logging.DEBUG)
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("debug_logging")
def test_unscrubbed_text_is_never_logged_even_at_debug_level(
    app: App, sender: Sender, stand_in: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    raw = "mail jane.doe@example.com or call +1 415 555 0134"

    sender.event(dm_event(raw))
    stand_in.wait_for("chat.postMessage")
    sender.command(raw)
    sender.interactive(view_submission(blocks.report_modal(), form_values(raw)))
    sender.interactive(message_shortcut(raw))  # the modal is prefilled with the raw text
    drain(app)

    assert logging.getLogger("bot.listeners").isEnabledFor(logging.DEBUG)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "jane.doe" not in logged
    assert "555 0134" not in logged
