"""`painpoint erase --user` forgets one person; `painpoint audit-log` prints who read what,
and every export and report from the command line is in it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import cli
from bot.cli.privacy import parse_since
from bot.db.session import SessionFactory, make_engine, make_session_factory
from bot.domain.capture import PainPointInput
from bot.services.audit_log import ReadAuditLog, cli_actor
from bot.services.capture import CaptureService
from bot.services.erasure import ErasureService
from tests.bot.cli.conftest import one_line
from tests.bot.reporting.factories import seed_theme
from tests.conftest import SECRET_KEY
from tests.stored import painpoints


@pytest.fixture
def stored(db_env: str) -> Iterator[SessionFactory]:
    engine = make_engine(db_env)
    yield make_session_factory(engine)
    engine.dispose()


def report(session_factory: SessionFactory, user: str, text: str, team: str = "T1") -> None:
    CaptureService(session_factory, secret_key=SECRET_KEY).record(
        team_id=team, user_id=user, submission=PainPointInput(text=text, source="slash")
    )


def test_erase_forgets_one_person_under_every_noted_team_key(
    stored: SessionFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    report(stored, "U100", "Expenses log me out", team="E:E1")
    report(stored, "U100", "Old report from before the org key", team="T1")
    report(stored, "U200", "The wiki search is useless")
    ErasureService(stored, secret_key=SECRET_KEY).note_scopes(["E:E1", "T1"])

    assert cli.main(["erase", "--user", "U100", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        "would erase 2 rows tied to U100:",
        "  reports (with their details): 2",
    ]
    assert len(painpoints(stored)) == 3

    assert cli.main(["erase", "--user", "u100"]) == 0
    assert capsys.readouterr().out.startswith("erased 2 rows tied to U100:")
    assert [row.text for row in painpoints(stored)] == ["The wiki search is useless"]

    assert cli.main(["erase", "--user", "U100"]) == 0
    assert capsys.readouterr().out == "nothing tied to U100 was found\n"


def test_erase_takes_team_keys_and_import_reporters_it_could_not_know(
    stored: SessionFactory, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report(stored, "U100", "Written before any key was noted", team="T9")
    survey = tmp_path / "survey.csv"
    survey.write_text("Answer,Who\nApprovals wait a week,ann@example.com\n", encoding="utf-8")
    assert cli.main(["import", str(survey), "--text-column", "Answer", "--reporter-column",
                     "Who", "--quiet"]) == 0  # fmt: skip
    capsys.readouterr()

    assert (
        cli.main(
            ["erase", "--user", "U100", "--team", "T9", "--import-reporter", "Ann@Example.com"]
        )
        == 0
    )
    assert "reports (with their details): 2" in capsys.readouterr().out
    assert painpoints(stored) == []


@pytest.mark.parametrize("user", ["bob", "C0123", ""])
def test_erase_refuses_what_is_not_a_user_id(
    db_env: str, capsys: pytest.CaptureFixture[str], user: str
) -> None:
    assert cli.main(["erase", "--user", user]) == 2
    assert "is not a Slack user id" in one_line(capsys.readouterr().err)


def test_exports_and_reports_are_recorded_and_the_log_prints_them(
    stored: SessionFactory, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    seed_theme(stored, "Expense approvals wait", reporters=3, days_ago=[1, 2, 3])
    ReadAuditLog(stored).record("UMANAGER", "digest", period="30d")

    assert cli.main(["export", "--what", "painpoints", "--format", "csv",
                     "--out", str(tmp_path / "rows.csv")]) == 0  # fmt: skip
    assert cli.main(["report", "--format", "md", "--out", str(tmp_path / "r.md")]) == 0
    assert cli.main(["themes", "--format", "json"]) == 0
    capsys.readouterr()

    assert cli.main(["audit-log"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["when", "(UTC)", "who", "what", "details"]
    assert "UMANAGER" in table[1] and "digest (Slack)" in table[1]
    assert cli_actor() in table[2] and "export (command line)" in table[2]
    assert '"painpoints"' in table[2] and "rows.csv" in table[2]
    assert "audit report (command line)" in table[3] and "themes (command line)" in table[4]

    assert cli.main(["audit-log", "--format", "json", "--since", "1h"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["surface"] for e in entries] == ["digest", "cli_export", "cli_report", "cli_themes"]
    assert entries[1]["detail"] == {
        "what": "painpoints",
        "format": "csv",
        "out": str(tmp_path / "rows.csv"),
    }

    assert cli.main(["audit-log", "--format", "csv", "--limit", "1"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["surface"] for row in rows] == ["cli_themes"]


def test_the_log_since_a_date_and_formulas_in_csv(
    stored: SessionFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    old = datetime(2026, 1, 1, tzinfo=UTC)
    ReadAuditLog(stored, clock=lambda: old).record("=HYPERLINK(1)", "digest")
    ReadAuditLog(stored).record("UMANAGER", "report")

    assert cli.main(["audit-log", "--since", "2026-02-01", "--format", "json"]) == 0
    assert [e["actor"] for e in json.loads(capsys.readouterr().out)] == ["UMANAGER"]
    assert cli.main(["audit-log", "--format", "csv"]) == 0
    assert "'=HYPERLINK(1)" in capsys.readouterr().out

    assert cli.main(["audit-log", "--since", "yesterday"]) == 2
    assert "--since 'yesterday'" in one_line(capsys.readouterr().err)


def test_since_reads_spans_and_dates() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("24H", now) == now - timedelta(hours=24)
    assert parse_since("2w", now) == now - timedelta(weeks=2)
    assert parse_since("2026-03-01", now) == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_since("2026-03-01T10:00+02:00", now) == datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_pilot_and_nudge_statistics_reads_on_the_command_line_are_recorded(
    stored: SessionFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    # Their Slack twins are recorded; the command line showed the same data unrecorded.
    from bot.services.pilots import PilotService
    from tests.bot.services.test_pilots import draft

    theme = seed_theme(stored, "Invoices typed by hand", reporters=3)
    pilot = PilotService(stored, min_reporters=3).create(
        draft(theme.theme_id), created_by="UMANAGER"
    )
    assert cli.main(["pilots", "list"]) == 0
    assert cli.main(["pilots", "show", str(pilot.id), "--format", "json"]) == 0
    lesson = ["nudges", "schedule", "--lesson", "keep-data-safe", "--audience", "U001"]
    assert cli.main(lesson) == 0
    assert cli.main(["nudges", "stats", "1"]) == 0
    capsys.readouterr()

    assert cli.main(["audit-log", "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [(e["actor"], e["surface"], e["detail"]) for e in entries] == [
        (cli_actor(), "cli_pilots", {"format": "table"}),
        (cli_actor(), "cli_pilot", {"pilot": pilot.id, "format": "json"}),
        (cli_actor(), "cli_nudge_stats", {"campaign": 1}),
    ]
