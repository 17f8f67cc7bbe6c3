"""The command line: `painpoint nudges …`, `painpoint export --what concerns|deliveries`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.nudge_models import NudgeCampaign
from bot.domain.schedule import Schedule
from bot.settings import Settings
from tests.bot.nudge_parts import Parts


@pytest.fixture
def env(nudge_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", nudge_settings.database_url)
    monkeypatch.setenv("PAINPOINT_SECRET_KEY", str(nudge_settings.secret_key))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", nudge_settings.slack_api_url)
    monkeypatch.setenv("PAINPOINT_TIMEZONE", "Europe/Berlin")
    return nudge_settings


def stored(parts: Parts) -> list[NudgeCampaign]:
    with parts.session_factory() as session:
        return list(session.scalars(select(NudgeCampaign).order_by(NudgeCampaign.id)).all())


def test_schedule_list_stats_and_cancel(
    env: Settings, parts: Parts, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["nudges", "schedule", "--lesson", "keep-data-safe", "--audience", "U001,C0TEAM,S0GRP"]
    assert main(args) == 0
    said = capsys.readouterr().out
    assert "campaign #1 scheduled" in said
    assert "user U001, channel C0TEAM, user group S0GRP" in said
    assert "`painpoint nudges stats 1`" in said and "`painpoint nudges cancel 1`" in said
    assert "/nudge" not in said and "<@" not in said and "*" not in said
    assert (
        main(
            [
                "nudges",
                "schedule",
                "--track",
                "ai-basics",
                "--audience",
                "U002",
                "--cron",
                "0 10 * * 2",
                "--local-time",
                "--skip-weekends",
                "--quiet-hours",
                "20:00-08:00",
            ]
        )
        == 0
    )
    first, second = stored(parts)
    assert first.audience == ["U001", "C0TEAM", "S0GRP"] and first.created_by == "cli"
    schedule = Schedule.from_dict(second.schedule)
    assert (schedule.kind, schedule.cron, schedule.local_time) == ("cron", "0 10 * * 2", True)
    assert schedule.skip_weekends and schedule.quiet is not None
    assert second.lessons == list(parts.library.tracks["ai-basics"].lessons)
    capsys.readouterr()

    assert main(["nudges", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split()[:3] == ["id", "status", "next"]
    assert "#2" in listing[2] and "active" in listing[2] and "Track: AI at work" in listing[2]
    assert "#1" in listing[3] and "active" in listing[3]
    assert main(["nudges", "stats", "1"]) == 0
    stats = capsys.readouterr().out
    assert "All lessons" in stats and "—" in stats
    assert "None" not in stats
    assert main(["nudges", "cancel", "2"]) == 0
    assert stored(parts)[1].status == "cancelled"
    assert main(["nudges", "cancel", "99"]) == 2


def test_a_one_off_at_an_iso_time(env: Settings, parts: Parts) -> None:
    assert (
        main(
            [
                "nudges",
                "schedule",
                "--lesson",
                "clear-requests",
                "--audience",
                "U001",
                "--at",
                "2099-03-29T02:30",
            ]
        )
        == 0
    )
    schedule = Schedule.from_dict(stored(parts)[0].schedule)
    assert schedule.at is not None and schedule.at.tzinfo is None  # a wall time in Berlin
    assert schedule.timezone == "Europe/Berlin"
    assert (
        main(
            [
                "nudges",
                "schedule",
                "--lesson",
                "clear-requests",
                "--audience",
                "U001",
                "--at",
                "2099-01-01T09:00Z",
            ]
        )
        == 0
    )
    assert Schedule.from_dict(stored(parts)[1].schedule).at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lesson", "nope", "--audience", "U001"], "no lesson 'nope' in the library; lessons: "),
        (["--track", "nope", "--audience", "U001"], "no track 'nope' in the library; tracks: "),
        (["--lesson", "clear-requests", "--audience", "everyone"], "audience"),
        (
            ["--lesson", "clear-requests", "--audience", "U001", "--at", "tomorrow"],
            "--at 'tomorrow' is not a date and time; use an ISO 8601",
        ),
        (
            ["--lesson", "clear-requests", "--audience", "U001", "--at", "2001-01-01T10:00"],
            "already passed",
        ),
        (["--lesson", "clear-requests", "--audience", "U001", "--cron", "61 * * * *"], "cron"),
        (
            ["--lesson", "clear-requests", "--audience", "U001", "--quiet-hours", "late"],
            "quiet hours",
        ),
    ],
)
def test_bad_requests_exit_2_with_the_reason(
    env: Settings, parts: Parts, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main(["nudges", "schedule", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert stored(parts) == []


def test_export_concerns_and_deliveries_without_slack_ids(
    env: Settings, parts: Parts, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = parts.schedule(["U001", "U002"])
    parts.runner.fire(campaign)
    parts.drain()
    parts.service.concerns.record(
        team_id="T1",
        user_id="U001",
        text="call me on +1 415 555 0134",
        topic="workload",
        share_name=True,
    )
    capsys.readouterr()
    assert main(["export", "--what", "concerns"]) == 0
    (concern,) = json.loads(capsys.readouterr().out)
    assert concern["text"] == "call me on [phone]" and concern["named"] is True
    assert "U001" not in json.dumps(concern)

    assert main(["export", "--what", "deliveries", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["status"] for row in rows] == ["sent", "sent"]
    assert all(len(row["recipient"]) == 64 for row in rows)
    assert "U001" not in json.dumps(rows)
