"""`painpoint import` says what it changed, per column; re-imports add nothing whatever the
file is called; `painpoint export` states the minimum-reporter rule and applies it on request,
and neutralises spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import cli
from bot.db.session import make_engine, make_session_factory
from bot.domain.capture import Outcome, PainPointInput
from bot.services.capture import CaptureService
from bot.services.concerns import ConcernService
from tests.bot.cli.conftest import one_line
from tests.bot.reporting.factories import seed_theme
from tests.conftest import SECRET_KEY
from tests.stored import painpoints, scrubbed

SURVEY = (
    "Answer,Who,category,Submitted\n"
    "Approvals wait for three signatures,ann@example.com,Repetitive tasks,2026-01-05T10:00+02:00\n"
    "The VPN drops every hour,bob@example.com,astrology,2026-01-05\n"
    "Month end takes a week,cem@example.com,,yesterday\n"
    "Invoices are retyped,dee@example.com,Data gaps,2026-01-06 09:00\n"
    "Printer jams,eve@example.com,,2026-13-45\n"
)


def write(tmp_path: Path, name: str, content: str = SURVEY) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def run_import(path: Path, *extra: str) -> int:
    return cli.main(
        ["import", str(path), "--text-column", "Answer", "--reporter-column", "Who", "--quiet",
         "--created-at-column", "Submitted", *extra]
    )  # fmt: skip


def test_the_summary_says_per_column_what_was_changed_or_refused(
    db_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(write(tmp_path, "survey.csv")) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "imported 3 of 5 rows (0 duplicates, 0 empty, 0 too long, 2 unreadable skipped)"
    )
    assert (
        "  Submitted: 2 dates not understood: rows 4, 6; those rows were not imported; "
        "fix them and import again"
    ) in lines
    assert "  Submitted: 1 dates without a time zone: row 5; read as UTC" in lines
    assert "  category: 1 categories not recognised: row 3; stored without a category" in lines
    stored = {row.text: row for row in painpoints(make_session_factory(make_engine(db_env)))}
    assert set(stored) == {
        "Approvals wait for three signatures",
        "The VPN drops every hour",
        "Invoices are retyped",
    }
    first = stored["Approvals wait for three signatures"]
    assert first.category == "repetitive_task"
    assert first.created_at.replace(tzinfo=UTC) == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert stored["Invoices are retyped"].category == "data_gap"


def test_the_same_rows_under_another_file_name_add_nothing(
    db_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = "Answer,Who,Submitted\nVPN drops,ann,2026-01-05\nVPN drops,,2026-01-05\n"
    content += "VPN drops,,2026-01-05\n"
    assert run_import(write(tmp_path, "survey.csv", content)) == 0
    capsys.readouterr()

    assert run_import(write(tmp_path, "survey (1).csv", content)) == 0

    assert capsys.readouterr().out.startswith("imported 0 of 3 rows (3 duplicates")
    rows = painpoints(make_session_factory(make_engine(db_env)))
    assert len(rows) == 3 and len({row.reporter for row in rows}) == 3


def test_a_header_without_rows_is_refused_by_import_and_cluster_alike(
    db_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "empty.csv", "Answer,Who,Submitted\n")
    assert run_import(path) == 2
    assert "has a header but no rows" in one_line(capsys.readouterr().err)
    assert cli.main(["cluster", str(path), "--text-column", "Answer", "--quiet"]) == 2
    assert "has a header but no rows" in one_line(capsys.readouterr().err)


@pytest.fixture
def themed(db_env: str) -> str:
    factory = make_session_factory(make_engine(db_env))
    seed_theme(factory, '=HYPERLINK("http://evil.example","Expense approvals")', reporters=3)
    seed_theme(factory, "Contract redlines", reporters=["l1", "l2"])
    return db_env


def test_a_row_export_says_it_holds_rows_below_the_minimum(
    themed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["export", "--format", "csv"]) == 0

    captured = capsys.readouterr()
    assert captured.err.strip() == (
        "note: this export holds every painpoint row, including those below the "
        "minimum-reporter rule (k=3); add --min-reporters 3 to apply it"
    )
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert len(rows) == 5
    assert all(row["text"].startswith("'=HYPERLINK") for row in rows[:3])


def test_min_reporters_applies_the_rule(themed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--min-reporters", "3"]) == 0

    captured = capsys.readouterr()
    records = json.loads(captured.out)
    assert len(records) == 3 and not any("Contract" in r["text"] for r in records)
    assert "only painpoints shared by at least 3 distinct people" in captured.err

    assert cli.main(["export", "--what", "concerns", "--min-reporters", "3"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert cli.main(["export", "--what", "deliveries", "--min-reporters", "3"]) == 2


def test_min_reporters_counts_only_people_whose_words_may_be_seen(
    db_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A report edited by its reporter is sealed again until its full scrub, and a new concern
    # is sealed until its own: nobody may see them, so they cannot lift a theme or a topic to
    # the minimum and let the two other people's words out either.
    factory = make_session_factory(make_engine(db_env))
    capture = CaptureService(factory, secret_key=SECRET_KEY)
    editor = capture.pseudonym("T1", "U3")
    seeded = seed_theme(factory, "Expense approvals", reporters=["l1", "l2", editor])
    concerns = ConcernService(factory, secret_key=SECRET_KEY, min_reporters=3)
    for user in ("U1", "U2"):
        concerns.record(
            team_id="T1", user_id=user, text=f"Workload doubles {user}", topic="workload"
        )
    scrubbed(factory)
    edited = capture.amend(
        team_id="T1",
        user_id="U3",
        painpoint_id=seeded.painpoint_ids[2],
        submission=PainPointInput("Expense approvals wait two weeks", "slash"),
    )
    assert edited.outcome is Outcome.UPDATED
    concerns.record(team_id="T1", user_id="U3", text="Workload doubles U3", topic="workload")

    assert cli.main(["export", "--min-reporters", "3"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert cli.main(["export", "--what", "concerns", "--min-reporters", "3"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_theme_export_never_goes_below_the_configured_minimum(
    themed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Themes are titled and quoted: --min-reporters may raise their minimum, never lower it.
    code = cli.main(["export", "--what", "themes", "--min-reporters", "1"])

    captured = capsys.readouterr()
    assert "Contract redlines" not in captured.out
    assert code == 2
    assert "below PAINPOINT_MIN_REPORTERS (3)" in one_line(captured.err)
    assert cli.main(["export", "--what", "themes", "--min-reporters", "4"]) == 0
    assert json.loads(capsys.readouterr().out) == []
