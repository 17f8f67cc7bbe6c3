"""Unit tests of role checks: configured ids, user groups resolved through the stand-in, caching."""

from __future__ import annotations

import socket

import pytest
from slack_sdk import WebClient

from bot.domain.roles import Role
from bot.slack.roles import RoleDirectory
from tests.slack_stand_in import SlackStandIn


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def directory(stand_in: SlackStandIn, ticker: Ticker) -> RoleDirectory:
    client = WebClient(token="xoxb-test", base_url=stand_in.base_url)
    return RoleDirectory(
        client,
        managers=["UBOSS", "SLEADS"],
        trainers=["UTRAIN"],
        cache_seconds=300,
        clock=ticker,
    )


def lookups(stand_in: SlackStandIn) -> int:
    return len(stand_in.calls_to("usergroups.users.list"))


def test_listed_users_have_their_role_without_asking_slack(
    directory: RoleDirectory, stand_in: SlackStandIn
) -> None:
    assert directory.has_role("UTRAIN", Role.TRAINER)
    assert directory.has_role("UBOSS", Role.MANAGER)
    assert not directory.has_role("UBOSS", Role.TRAINER)  # no trainer group to ask about
    assert lookups(stand_in) == 0
    assert not directory.has_role("UTRAIN", Role.MANAGER)  # asks about the managers' group
    assert lookups(stand_in) == 1


def test_group_members_are_resolved_once_within_the_cache_time(
    directory: RoleDirectory, stand_in: SlackStandIn, ticker: Ticker
) -> None:
    stand_in.usergroups["SLEADS"] = ["U1", "U2"]

    assert directory.has_role("U1", Role.MANAGER)
    assert directory.has_role("U2", Role.MANAGER)
    assert not directory.has_role("U3", Role.MANAGER)
    ticker.now += 299
    assert directory.has_role("U1", Role.MANAGER)

    [call] = stand_in.calls_to("usergroups.users.list")
    assert call.params["usergroup"] == "SLEADS"


def test_group_changes_are_seen_after_the_cache_time(
    directory: RoleDirectory, stand_in: SlackStandIn, ticker: Ticker
) -> None:
    stand_in.usergroups["SLEADS"] = ["U1"]
    assert directory.has_role("U1", Role.MANAGER)

    stand_in.usergroups["SLEADS"] = ["U2"]
    ticker.now += 301

    assert not directory.has_role("U1", Role.MANAGER)
    assert directory.has_role("U2", Role.MANAGER)
    assert lookups(stand_in) == 2


def test_an_unresolvable_group_grants_nobody_anything(
    directory: RoleDirectory, stand_in: SlackStandIn
) -> None:
    stand_in.usergroups["SLEADS"] = ["U1"]
    stand_in.fail("usergroups.users.list", "missing_scope")
    assert not directory.has_role("U1", Role.MANAGER)


def test_a_failed_refresh_keeps_the_last_known_members(
    directory: RoleDirectory, stand_in: SlackStandIn, ticker: Ticker
) -> None:
    stand_in.usergroups["SLEADS"] = ["U1"]
    assert directory.has_role("U1", Role.MANAGER)
    ticker.now += 301
    stand_in.fail("usergroups.users.list", "internal_error")

    assert directory.has_role("U1", Role.MANAGER)
    assert lookups(stand_in) == 2


def test_a_lookup_that_cannot_reach_slack_fails_closed_or_keeps_the_last_known_members(
    stand_in: SlackStandIn, ticker: Ticker
) -> None:
    # A timeout or a refused connection is not a Slack error: it must not become a traceback
    # in front of the person whose role is being checked.
    stand_in.usergroups["SLEADS"] = ["U1"]
    reachable = WebClient(token="xoxb-test", base_url=stand_in.base_url)
    directory = RoleDirectory(reachable, managers=["SLEADS"], trainers=[], clock=ticker)
    assert directory.has_role("U1", Role.MANAGER)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # a port nobody listens on
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}/api/"
    directory._client = WebClient(token="xoxb-test", base_url=nowhere, timeout=1)
    ticker.now += 301

    assert directory.has_role("U1", Role.MANAGER), "the last known members"
    unknown = RoleDirectory(
        WebClient(token="xoxb-test", base_url=nowhere, timeout=1),
        managers=["SLEADS"],
        trainers=[],
        clock=ticker,
    )
    assert not unknown.has_role("U1", Role.MANAGER), "closed"
