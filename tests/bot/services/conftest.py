"""Fixtures of the service tests that post to a digest channel."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.db.session import SessionFactory
from bot.services.insights import ThemeInsights
from bot.slack.digests import DigestPublisher
from tests.bot.services.digest_parts import CHANNEL, NOW, Clock
from tests.slack_stand_in import SlackStandIn


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def publisher(
    session_factory: SessionFactory, stand_in: SlackStandIn, clock: Clock
) -> DigestPublisher:
    """Posts to CHANNEL of the Slack stand-in, minimum 3 reporters, on the test's clock."""
    client = WebClient(token="xoxb-test-token", base_url=stand_in.base_url)
    insights = ThemeInsights(session_factory, min_reporters=3, clock=clock)
    return DigestPublisher(insights, client, session_factory, channel=CHANNEL, clock=clock)
