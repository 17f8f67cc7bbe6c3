"""`painpoint report --format … --out …` and `painpoint export --what themes`: the command-line
surfaces of the audit, under the same minimum-reporter rule as Slack."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.db.session import make_engine, make_session_factory
from bot.reporting.report import THEME_FIELDS
from tests.bot.reporting.factories import seed_theme

PAINPOINT = Path(sys.executable).with_name("painpoint")
SECRET_TITLE = "Complaint about Bob in payroll"
PASSING = ("Expense approvals wait", "VPN drops every hour")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No inherited settings, and a working directory without a `.env` file."""
    for key in list(os.environ):
        if key.startswith(("SLACK_", "PAINPOINT_")) or key == "DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def seed(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        session_factory = make_session_factory(engine)
        seed_theme(session_factory, PASSING[0], reporters=4, team="Finance")
        seed_theme(session_factory, PASSING[1], reporters=3, team=["Finance", "Sales", "IT"])
        seed_theme(
            session_factory,
            SECRET_TITLE,
            reporters=["b1", "b2"],
            reports_per_reporter=10,
            team="Legal",
        )
    finally:
        engine.dispose()


@pytest.fixture
def seeded(env: pytest.MonkeyPatch, database_url: str) -> str:
    env.setenv("DATABASE_URL", database_url)
    seed(database_url)
    return database_url


def without_images(document: str) -> str:
    return re.sub(r"base64,[A-Za-z0-9+/=]+", "base64,", document)


@pytest.mark.parametrize("fmt", ["html", "md", "csv", "json"])
def test_report_writes_every_format_with_passing_themes_only(
    seeded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = tmp_path / "out" / f"report.{fmt}"

    assert cli.main(["report", "--format", fmt, "--out", str(out)]) == 0

    document = without_images(out.read_text(encoding="utf-8"))
    for title in PASSING:
        assert title in document
    assert SECRET_TITLE not in document and "Bob" not in document and "Legal" not in document
    assert f"wrote the {fmt} report (2 themes) to {out}" in capsys.readouterr().err


def test_report_to_standard_output(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "--format", "json"]) == 0

    document = json.loads(capsys.readouterr().out)
    assert [t["title"] for t in document["themes"]] == list(PASSING)
    assert document["summary"]["smaller_signals"] == 1
    assert SECRET_TITLE not in json.dumps(document)


def test_the_minimum_comes_from_the_settings(
    seeded: str, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("PAINPOINT_MIN_REPORTERS", "2")
    assert cli.main(["report", "--format", "csv"]) == 0
    assert SECRET_TITLE in capsys.readouterr().out

    env.setenv("PAINPOINT_MIN_REPORTERS", "4")
    assert cli.main(["report", "--format", "csv"]) == 0
    titles = [row["title"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))]
    assert titles == [PASSING[0]]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--team", "Legal"], "fewer than 3 people"),
        (["--team", "Sales"], "fewer than 3 people"),
        (["--period", "7d", "--team", "IT"], "fewer than 3 people"),
    ],
)
def test_a_slice_below_k_is_refused_with_the_reason(
    seeded: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    reason: str,
) -> None:
    out = tmp_path / "report.html"

    assert cli.main(["report", "--out", str(out), *args]) == 2

    err = capsys.readouterr().err
    assert "cannot report on that selection" in err and reason in err
    assert SECRET_TITLE not in err
    assert not out.exists()


def test_a_team_slice_that_passes_is_reported(
    seeded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["report", "--format", "md", "--team", "Finance"]) == 0
    document = capsys.readouterr().out
    assert "team Finance" in document
    assert PASSING[0] in document
    assert PASSING[1] not in document, "two Finance reporters are below k within Finance"


@pytest.mark.parametrize("args", [["--format", "pdf"], ["--period", "14d"]])
def test_bad_arguments_are_usage_errors(seeded: str, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["report", *args])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_themes_applies_the_minimum(
    seeded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = tmp_path / f"themes.{fmt}"

    assert cli.main(["export", "--what", "themes", "--format", fmt, "--out", str(out)]) == 0

    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        records = json.loads(text)
        assert [r["title"] for r in records] == list(PASSING)
        assert {"reporters", "quotes", "keywords", "status"} <= set(records[0])
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0]) == list(THEME_FIELDS)
        assert [r["title"] for r in rows] == list(PASSING)
    assert SECRET_TITLE not in text and "b1" not in text and "Legal" not in text
    assert "wrote 2 themes" in capsys.readouterr().err


def test_export_themes_of_an_empty_database(
    env: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("DATABASE_URL", database_url)
    assert cli.main(["export", "--what", "themes"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_the_console_script_writes_the_html_report(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    out = tmp_path / "report.html"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "PAINPOINT_")) and key != "DATABASE_URL"
    }
    env["DATABASE_URL"] = sqlite_url

    done = subprocess.run(
        [str(PAINPOINT), "report", "--format", "html", "--out", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    document = out.read_text(encoding="utf-8")
    assert document.startswith("<!doctype html>")
    assert PASSING[0] in document and SECRET_TITLE not in document


@pytest.mark.parametrize(
    ("section", "first_column"),
    [
        ("priorities", "rank"),
        ("lenses", "key"),
        ("participation", "key"),
        ("pilots", "pilot_id"),
        ("training", "theme_id"),
    ],
)
def test_every_audit_section_has_its_own_csv_table(
    seeded: str, capsys: pytest.CaptureFixture[str], section: str, first_column: str
) -> None:
    assert cli.main(["report", "--format", "csv", "--section", section]) == 0

    text = capsys.readouterr().out
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert reader.fieldnames is not None and reader.fieldnames[0] == first_column
    assert SECRET_TITLE not in text and "Bob" not in text
    if section == "priorities":
        assert [row["title"] for row in rows] == list(PASSING)
    if section == "participation":
        teams = {row["label"]: row for row in rows}
        assert teams["Finance"]["people"] not in ("", "0")
        # Legal has two people: not named (free-text teams can point at a person), folded
        # into one row of small teams without numbers.
        assert "Legal" not in text
        [small] = [row for row in rows if row["hidden"] == "True"]
        assert small["reports"] == small["people"] == ""


def test_a_section_is_only_for_csv(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "--format", "html", "--section", "pilots"]) == 2
    assert "--section pilots is for --format csv" in capsys.readouterr().err
