"""Fixtures of the nudge engine's parts (tests/bot/nudge_parts.py), for every test under bot/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.db.session import SessionFactory
from bot.settings import Settings
from tests.bot.nudge_parts import Parts, fast_nudge_settings, make_parts
from tests.slack_stand_in import SlackStandIn


@pytest.fixture
def nudge_settings(settings: Settings) -> Settings:
    return fast_nudge_settings(settings)


@pytest.fixture
def parts(
    nudge_settings: Settings, session_factory: SessionFactory, stand_in: SlackStandIn
) -> Iterator[Parts]:
    built = make_parts(nudge_settings, session_factory, stand_in)
    yield built
    built.dispatcher.close()
