"""Scenario tests: `/painpoint help|mine|delete` and the role gate for manager sub-commands."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.blocks import common
from bot.db.session import SessionFactory
from bot.domain.capture import PainPointInput
from bot.domain.roles import Role
from bot.listeners.commands import painpoint
from bot.listeners.context import CommandRequest, Subcommand
from bot.services.capture import CaptureService
from bot.settings import Settings
from tests.slack_requests import Sender, response_json
from tests.slack_stand_in import SlackStandIn
from tests.stored import count_painpoints, painpoints


def record(sender: Sender, text: str, user: str = "U100") -> int:
    """Record a pain point through the slash command and return its number."""
    body = response_json(sender.command(text, user=user))
    match = re.search(r"#(\d+)", body["text"])
    assert match, body
    return int(match.group(1))


def reply_text(sender: Sender, text: str, user: str = "U100") -> str:
    response = sender.command(text, user=user)
    assert response.status == 200
    return str(response_json(response)["text"])


# --- help ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["help", "HELP", "  help  "])
def test_help_explains_every_way_to_report(
    sender: Sender, session_factory: SessionFactory, text: str
) -> None:
    answer = reply_text(sender, text)
    for expected in ("/painpoint mine", "/painpoint delete", "Log as pain point", "message"):
        assert expected in answer
    assert "For managers" not in answer
    assert count_painpoints(session_factory) == 0


def test_help_shows_manager_commands_to_managers_only(sender: Sender) -> None:
    assert "For managers" in reply_text(sender, "help", user="UMANAGER")
    assert "For managers" not in reply_text(sender, "help", user="UTRAINER")


def test_a_report_that_starts_with_a_sub_command_word_is_recorded(
    sender: Sender, session_factory: SessionFactory
) -> None:
    assert "recorded" in reply_text(sender, "help desk tickets wait three days")
    assert "recorded" in reply_text(sender, "mine is the slowest laptop in the office")
    assert [row.text for row in painpoints(session_factory)] == [
        "help desk tickets wait three days",
        "mine is the slowest laptop in the office",
    ]


# --- mine ----------------------------------------------------------------------------------


def test_mine_lists_only_the_reporters_own_entries_newest_first(sender: Sender) -> None:
    first = record(sender, "Mine: the expense tool logs me out")
    second = record(sender, "Mine: printing boarding passes")
    record(sender, "Theirs: the wiki search is useless", user="U200")

    response = sender.command("mine")
    body = response_json(response)
    rendered = json.dumps(body["blocks"])

    assert "the expense tool logs me out" in rendered
    assert "printing boarding passes" in rendered
    assert "wiki search" not in rendered
    assert rendered.index(f"#{second}") < rendered.index(f"#{first}")


def test_mine_without_reports_says_so(sender: Sender) -> None:
    record(sender, "Theirs: the wiki search is useless", user="U200")
    answer = reply_text(sender, "mine")
    assert "not reported any" in answer
    assert "wiki" not in answer


# --- delete --------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["delete {n}", "delete #{n}", "DELETE {n}"])
def test_delete_erases_the_reporters_own_pain_point(
    sender: Sender, session_factory: SessionFactory, form: str
) -> None:
    number = record(sender, "Approvals wait on one person")
    keep = record(sender, "Another one to keep")

    answer = reply_text(sender, form.format(n=number))

    assert f"#{number}" in answer and "erased" in answer
    assert [row.id for row in painpoints(session_factory)] == [keep]


def test_delete_of_someone_elses_pain_point_is_refused(
    sender: Sender, session_factory: SessionFactory
) -> None:
    number = record(sender, "Approvals wait on one person", user="U200")

    answer = reply_text(sender, f"delete {number}")

    assert "only erase your own" in answer
    assert "Approvals" not in answer
    assert count_painpoints(session_factory) == 1


def test_delete_of_an_unknown_number_is_refused(
    sender: Sender, session_factory: SessionFactory
) -> None:
    record(sender, "Approvals wait on one person")
    assert "You have no pain point #4242" in reply_text(sender, "delete 4242")
    assert count_painpoints(session_factory) == 1


def test_delete_without_a_number_shows_its_usage(
    sender: Sender, session_factory: SessionFactory
) -> None:
    record(sender, "Approvals wait on one person")
    assert "Usage: `/painpoint delete <number>`" in reply_text(sender, "delete")
    assert count_painpoints(session_factory) == 1


@pytest.mark.parametrize("text", ["delete abc", "delete -1", "delete 1.5", "delete duplicates"])
def test_delete_followed_by_words_is_a_report(
    sender: Sender, session_factory: SessionFactory, text: str
) -> None:
    record(sender, "Approvals wait on one person")
    assert "recorded" in reply_text(sender, text).lower()
    assert [row.text for row in painpoints(session_factory)][-1] == text


def test_deleting_twice_is_refused_the_second_time(sender: Sender) -> None:
    number = record(sender, "Approvals wait on one person")
    assert "erased" in reply_text(sender, f"delete {number}")
    assert "You have no pain point" in reply_text(sender, f"delete {number}")


# --- the role gate -------------------------------------------------------------------------


class Probe:
    """A stand-in manager sub-command that records who reached it and answers with data."""

    SECRET = "Theme 7: invoices (12 reports, 5 people)"

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, request: CommandRequest) -> tuple[str, list[dict[str, Any]]]:
        self.calls.append(
            {"argument": request.argument, "team_id": request.team_id, "user_id": request.user_id}
        )
        return common.notice(self.SECRET)


@pytest.fixture
def digest(monkeypatch: pytest.MonkeyPatch) -> Probe:
    probe = Probe()
    monkeypatch.setitem(painpoint.SUBCOMMANDS, "digest", Subcommand(Role.MANAGER, probe))
    return probe


@pytest.fixture
def training_report(monkeypatch: pytest.MonkeyPatch) -> Probe:
    probe = Probe()
    monkeypatch.setitem(painpoint.SUBCOMMANDS, "report", Subcommand(Role.TRAINER, probe))
    return probe


def role_command(
    sender: Sender, stand_in: SlackStandIn, text: str, user: str, expected_answers: int
) -> str:
    """Send a role-gated command; return what was sent back through response_url."""
    response = sender.command(text, user=user, response_url=stand_in.response_url(user))
    assert response.status == 200
    assert response_json(response) == {}  # acknowledged at once, answered afterwards
    answer = stand_in.wait_for("response_url", expected_answers)[expected_answers - 1]
    assert answer.params["response_type"] == "ephemeral"
    return json.dumps(answer.params)


def test_non_manager_gets_a_refusal_with_no_data_and_the_handler_never_runs(
    sender: Sender, stand_in: SlackStandIn, digest: Probe
) -> None:
    record(sender, "Invoices are typed in by hand", user="U200")

    answer = role_command(sender, stand_in, "digest 30d", "U100", 1)

    assert digest.calls == []
    assert "for managers" in answer
    assert Probe.SECRET not in answer
    assert "Invoices" not in answer
    assert not re.search(r"#\d", answer)


def test_a_listed_manager_reaches_the_handler(
    sender: Sender, stand_in: SlackStandIn, digest: Probe
) -> None:
    answer = role_command(sender, stand_in, "digest 30d Finance", "UMANAGER", 1)
    assert digest.calls == [{"argument": "30d Finance", "team_id": "T1", "user_id": "UMANAGER"}]
    assert Probe.SECRET in answer


def test_user_group_members_are_resolved_through_slack_and_cached(
    sender: Sender, stand_in: SlackStandIn, digest: Probe
) -> None:
    stand_in.usergroups["SMANAGERS"] = ["U555", "U556"]

    first = role_command(sender, stand_in, "digest", "U555", 1)
    second = role_command(sender, stand_in, "digest", "U556", 2)
    refused = role_command(sender, stand_in, "digest", "U100", 3)

    assert Probe.SECRET in first and Probe.SECRET in second
    assert Probe.SECRET not in refused
    assert [call["user_id"] for call in digest.calls] == ["U555", "U556"]
    [lookup] = stand_in.calls_to("usergroups.users.list")
    assert lookup.params["usergroup"] == "SMANAGERS"


def test_an_unresolvable_user_group_grants_nothing(
    sender: Sender, stand_in: SlackStandIn, digest: Probe
) -> None:
    stand_in.usergroups["SMANAGERS"] = ["U555"]
    stand_in.fail("usergroups.users.list", "missing_scope")

    answer = role_command(sender, stand_in, "digest", "U555", 1)

    assert digest.calls == []
    assert Probe.SECRET not in answer


def test_roles_are_separate(
    sender: Sender, stand_in: SlackStandIn, digest: Probe, training_report: Probe
) -> None:
    assert Probe.SECRET not in role_command(sender, stand_in, "report", "UMANAGER", 1)
    assert Probe.SECRET in role_command(sender, stand_in, "report", "UTRAINER", 2)
    assert Probe.SECRET not in role_command(sender, stand_in, "digest", "UTRAINER", 3)
    assert [call["user_id"] for call in training_report.calls] == ["UTRAINER"]
    assert digest.calls == []


def test_the_31st_slash_report_within_an_hour_is_refused_politely(
    sender: Sender, session_factory: SessionFactory, settings: Settings
) -> None:
    service = CaptureService(session_factory, secret_key=settings.secret_key or "")
    for n in range(30):
        service.record(
            team_id="T1", user_id="U100", submission=PainPointInput(f"Problem {n}", "slash")
        )
    answer = reply_text(sender, "One more problem")
    assert "Thanks for all the reports" in answer
    assert count_painpoints(session_factory) == 30
