"""Scenario tests: `/painpoint digest` and `/painpoint report`, signed requests to the real app
whose Web API calls go over HTTP to the stand-in. The role check comes first; the k rule holds
in every reply and every uploaded file."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.db.session import SessionFactory
from bot.services.insights import ThemeInsights
from tests.bot.reporting.checks import (
    UploadRecordingStandIn,
    assert_absent,
    assert_valid_blocks,
    everything_sent,
)
from tests.bot.reporting.factories import seed_theme
from tests.slack_requests import Sender, drain, response_json
from tests.slack_stand_in import Call
from tests.stored import count_painpoints

SECRET_TITLE = "Complaint about Bob in payroll"
PASSING = ("Expense approvals wait", "VPN drops every hour")


@pytest.fixture
def stand_in() -> Iterator[UploadRecordingStandIn]:
    server = UploadRecordingStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def data_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every read of theme data (the real reads still run)."""
    reads: list[str] = []
    report, teams = ThemeInsights.report, ThemeInsights.teams

    def spy_report(self: ThemeInsights, **kwargs: Any) -> Any:
        reads.append("report")
        return report(self, **kwargs)

    def spy_teams(self: ThemeInsights) -> list[str]:
        reads.append("teams")
        return teams(self)

    monkeypatch.setattr(ThemeInsights, "report", spy_report)
    monkeypatch.setattr(ThemeInsights, "teams", spy_teams)
    return reads


def seed(session_factory: SessionFactory, passing: int = 2) -> None:
    titles = [*PASSING, *(f"Passing theme {i}" for i in range(3, passing + 1))][:passing]
    for index, title in enumerate(titles):
        seed_theme(
            session_factory,
            title,
            reporters=3 + index % 2,
            days_ago=[1, 2, 3],
            team=["Finance", "Sales"],
            category="workflow_bottleneck",
            hours=1.5,
        )
    seed_theme(
        session_factory,
        SECRET_TITLE,
        reporters=["bob-hater-1", "bob-hater-2"],
        reports_per_reporter=12,
        days_ago=2,
        team="Finance",
    )


def ask(
    sender: Sender, stand_in: UploadRecordingStandIn, text: str, user: str = "UMANAGER"
) -> Call:
    """Send `/painpoint <text>`; return the first answer sent through response_url."""
    before = len(stand_in.calls_to("response_url"))
    response = sender.command(text, user=user, response_url=stand_in.response_url(user))
    assert response.status == 200
    assert response_json(response) == {}, "acknowledged at once, answered afterwards"
    answer = stand_in.wait_for("response_url", before + 1)[before]
    assert answer.params["response_type"] == "ephemeral"
    return answer


# --- role first ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["digest", "digest 30d Finance", "digest all", "report", "report 7d"]
)
def test_a_non_manager_is_refused_before_any_data_is_read(
    sender: Sender,
    app: Any,
    stand_in: UploadRecordingStandIn,
    session_factory: SessionFactory,
    data_reads: list[str],
    text: str,
) -> None:
    seed(session_factory)

    answer = ask(sender, stand_in, text, user="U100")
    drain(app)

    assert "for managers" in answer.params["text"]
    assert data_reads == []
    rendered = json.dumps(answer.params)
    assert not re.search(r"\d", rendered), "no numbers at all in a refusal"
    assert_absent(everything_sent(stand_in), [*PASSING, SECRET_TITLE, "Finance"])
    assert {call.method for call in stand_in.calls} <= {
        "auth.test",
        "response_url",
        "usergroups.users.list",
    }
    assert stand_in.uploads == []


def test_a_member_of_the_managers_user_group_gets_the_digest(
    sender: Sender, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    seed(session_factory)
    stand_in.usergroups["SMANAGERS"] = ["U555"]

    answer = ask(sender, stand_in, "digest", user="U555")

    assert "Expense approvals wait" in json.dumps(answer.params)
    [lookup] = stand_in.calls_to("usergroups.users.list")
    assert lookup.params["usergroup"] == "SMANAGERS"


# --- the digest ------------------------------------------------------------------------------


def test_the_digest_lists_only_themes_with_enough_reporters(
    sender: Sender, app: Any, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    seed(session_factory)

    answer = ask(sender, stand_in, "digest 30d")
    drain(app)

    blocks = answer.params["blocks"]
    assert_valid_blocks(blocks)
    rendered = json.dumps(blocks, ensure_ascii=False)
    for title in PASSING:
        assert title in rendered
    assert "1 smaller signals (24 reports)" in rendered
    assert_absent(everything_sent(stand_in), [SECRET_TITLE, "Bob", "bob-hater"])
    assert stand_in.calls_to("chat.postMessage") == [], "a short digest is an ephemeral reply"


@pytest.mark.parametrize("text", ["digest", "digest 7d", "digest 90d", "digest all", "DIGEST ALL"])
def test_every_period_is_understood(
    sender: Sender, stand_in: UploadRecordingStandIn, session_factory: SessionFactory, text: str
) -> None:
    seed(session_factory)

    answer = ask(sender, stand_in, text)

    assert "Expense approvals wait" in json.dumps(answer.params)
    assert SECRET_TITLE not in json.dumps(answer.params)


def test_a_team_filter_that_passes_shows_that_team(
    sender: Sender, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    seed_theme(session_factory, "Sales forecasts by hand", reporters=3, team="Sales")
    seed_theme(session_factory, "Finance close", reporters=3, team="Finance")

    answer = ask(sender, stand_in, "digest 30d sales")

    rendered = json.dumps(answer.params)
    assert "team Sales" in rendered
    assert "Sales forecasts by hand" in rendered
    assert "Finance close" not in rendered


def test_a_long_digest_goes_to_a_dm_that_pages_with_show_more(
    sender: Sender, app: Any, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    seed(session_factory, passing=8)

    answer = ask(sender, stand_in, "digest")
    [dm] = stand_in.wait_for("chat.postMessage")
    drain(app)

    assert "direct message" in answer.params["text"]
    assert dm.params["channel"] == "UMANAGER"
    assert_valid_blocks(dm.params["blocks"])
    rendered = json.dumps(dm.params["blocks"])
    assert "digest_show_more" in rendered
    assert "Page 1 of 2" in rendered
    assert_absent(everything_sent(stand_in), [SECRET_TITLE])


@pytest.mark.parametrize(
    "text", ["digest 14d", "digest yesterday", "digest Narnia", "report 14d", "report week"]
)
def test_words_that_are_not_a_digest_scope_are_recorded_as_a_report_and_the_digest_offered(
    sender: Sender, stand_in: UploadRecordingStandIn, session_factory: SessionFactory, text: str
) -> None:
    seed(session_factory)
    before = count_painpoints(session_factory)

    answer = ask(sender, stand_in, text)
    offer = stand_in.wait_for("response_url", 2)[1]

    assert "recorded" in answer.params["text"].lower()
    assert "If you meant the" in offer.params["text"]
    assert count_painpoints(session_factory) == before + 1
    assert_absent(everything_sent(stand_in), [*PASSING, SECRET_TITLE])


@pytest.mark.parametrize("text", ["digest 30d Narnia", "digest 30d 7d", "report all Narnia"])
def test_an_unknown_team_after_a_period_gets_the_teams_that_can_be_shown(
    sender: Sender, stand_in: UploadRecordingStandIn, session_factory: SessionFactory, text: str
) -> None:
    seed(session_factory)

    answer = ask(sender, stand_in, text)

    assert "a team is shown only when at least 3" in answer.params["text"]
    assert "Finance, Sales" in answer.params["text"]
    assert_absent(json.dumps(answer.params), [*PASSING, SECRET_TITLE])


def test_a_small_team_and_a_team_that_does_not_exist_get_the_same_answer(
    sender: Sender, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    seed(session_factory)
    seed_theme(session_factory, "Legal only", reporters=2, team="Legal")

    small = ask(sender, stand_in, "digest 30d Legal").params["text"]
    unknown = ask(sender, stand_in, "digest 30d Legol").params["text"]

    assert small.replace("Legal", "X") == unknown.replace("Legol", "X")
    assert "Legal" not in small.split("choose:")[1]


def test_no_data_says_so_plainly(sender: Sender, stand_in: UploadRecordingStandIn) -> None:
    answer = ask(sender, stand_in, "digest")

    assert "No pain points have been reported" in json.dumps(answer.params)
    assert "single someone out" not in json.dumps(answer.params)


def test_a_team_slice_below_k_is_refused_with_the_reason(
    sender: Sender, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    seed_theme(session_factory, "Sales forecasts by hand", reporters=4, team="Sales")
    seed_theme(session_factory, SECRET_TITLE, reporters=2, reports_per_reporter=5, team="Legal")

    answer = ask(sender, stand_in, "digest 30d Legal")

    text = answer.params["text"]
    assert "can't show “Legal”" in text
    assert "at least 3" in text and "singled out" in text
    assert_absent(json.dumps(answer.params), [SECRET_TITLE, "Sales forecasts", "10", "2 people"])


def test_a_period_slice_below_k_is_refused_with_the_reason(
    sender: Sender, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    seed_theme(session_factory, "Older theme", reporters=4, days_ago=20)
    seed_theme(session_factory, SECRET_TITLE, reporters=2, reports_per_reporter=5, days_ago=1)

    answer = ask(sender, stand_in, "digest 7d")

    assert "fewer than 3 people" in answer.params["text"]
    assert_absent(json.dumps(answer.params), [SECRET_TITLE, "Older theme"])
    month = ask(sender, stand_in, "digest 30d")
    assert "Older theme" in json.dumps(month.params)
    assert SECRET_TITLE not in json.dumps(month.params)


# --- the report ------------------------------------------------------------------------------


def test_the_report_arrives_in_the_managers_dm_as_html_and_csv(
    sender: Sender, app: Any, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    seed(session_factory)

    answer = ask(sender, stand_in, "report")
    [complete] = stand_in.wait_for("files.completeUploadExternal")
    drain(app)

    assert "Building the audit report" in answer.params["text"]
    [opened] = stand_in.calls_to("conversations.open")
    assert opened.params["users"] == "UMANAGER"
    assert complete.params["channel_id"] == "DMANAGER"
    titles = sorted(f["title"] for f in complete.params["files"])
    assert titles == ["Audit report (HTML)", "Themes (CSV)"]
    assert "2 themes" in complete.params["initial_comment"]
    uploads = stand_in.calls_to("files.getUploadURLExternal")
    assert sorted(call.params["filename"].rsplit(".", 1)[1] for call in uploads) == ["csv", "html"]

    html_bytes = next(u for u in stand_in.uploads if u.lstrip().startswith(b"<!doctype html"))
    csv_bytes = next(u for u in stand_in.uploads if u.startswith(b"id,title"))
    page = html_bytes.decode()
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode())))
    assert sorted(row["title"] for row in rows) == sorted(PASSING)
    for title in PASSING:
        assert title in page
    assert "1 smaller signals (24 reports)" in page
    # The inline chart is base64: drop it before looking for words.
    files = re.sub(r"base64,[A-Za-z0-9+/=]+", "", "".join(u.decode() for u in stand_in.uploads))
    assert_absent(everything_sent(stand_in) + files, [SECRET_TITLE, "Bob", "bob-hater"])


def test_a_report_for_a_team_below_k_is_refused_with_the_reason(
    sender: Sender, app: Any, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    seed(session_factory)
    seed_theme(session_factory, "Legal only", reporters=2, team="Legal")

    answer = ask(sender, stand_in, "report all Legal")
    drain(app)

    assert "can't show “Legal”" in answer.params["text"]
    assert "at least 3" in answer.params["text"]
    assert stand_in.calls_to("files.getUploadURLExternal") == []
    assert stand_in.uploads == []


def test_a_refused_upload_is_explained(
    sender: Sender, app: Any, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    seed(session_factory)
    stand_in.fail("files.getUploadURLExternal", "internal_error")

    ask(sender, stand_in, "report")
    [_, explained] = stand_in.wait_for("response_url", 2)
    drain(app)

    assert "Slack refused the report upload" in explained.params["text"]
    assert stand_in.calls_to("files.completeUploadExternal") == []
