"""`painpoint pilots create|list|show|log|close`: the fixed contract, and one line with exit
code 2 for every kind of bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot import cli
from bot.db.session import make_engine, make_session_factory
from tests.bot.cli.conftest import one_line
from tests.bot.reporting.factories import seed_theme

PILOT_FIELDS = {"id", "theme_id", "status", "owner", "objective", "start", "end", "kpis"}
KPI_FIELDS = {"name", "unit", "baseline", "current", "target"}


@pytest.fixture
def theme_id(db_env: str) -> int:
    """A theme with eight weeks of history before today (imported with its dates)."""
    engine = make_engine(db_env)
    monday = date.today() - timedelta(days=date.today().weekday())
    try:
        seeded = seed_theme(
            make_session_factory(engine),
            "Expense approvals wait for days",
            reporters=4,
            reports_per_reporter=4,
            # Two reports a week in each of the eight weeks before this week's Monday.
            days_ago=[1 + 3.5 * n for n in range(16)],
            now=datetime.combine(monday, time(0), UTC),
            hours=2.0,
        )
    finally:
        engine.dispose()
    return seeded.theme_id


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def create(capsys: pytest.CaptureFixture[str], theme_id: int, *extra: str) -> int:
    code, out, err = run(
        capsys,
        "pilots",
        "create",
        "--theme",
        str(theme_id),
        "--owner",
        "UOWNER",
        "--objective",
        "Approve expenses under 100 EUR automatically",
        "--kpi",
        "reports",
        "--kpi",
        "hours",
        "custom:approval time:days",
        "--target",
        "reports=1",
        "approval time=1",
        "--participants",
        "U1AAA,SGROUP1",
        *extra,
    )
    assert code == 0, err
    return int(out.strip())


def test_create_prints_the_id_and_show_has_the_contracted_fields(
    theme_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    pilot_id = create(capsys, theme_id)

    code, out, _ = run(capsys, "pilots", "show", str(pilot_id), "--format", "json")

    assert code == 0
    pilot = json.loads(out)
    assert set(pilot) >= PILOT_FIELDS
    assert (pilot["id"], pilot["theme_id"], pilot["status"]) == (pilot_id, theme_id, "running")
    assert (pilot["owner"], pilot["start"]) == ("UOWNER", date.today().isoformat())
    assert pilot["end"] == (date.today() + timedelta(weeks=8)).isoformat()
    assert [k["name"] for k in pilot["kpis"]] == ["reports", "hours", "approval time"]
    assert all(set(k) >= KPI_FIELDS for k in pilot["kpis"])
    reports, hours, custom = pilot["kpis"]
    assert reports["baseline"] == 2.0 and reports["target"] == 1.0
    assert hours["baseline"] == 2.0 and hours["current"] is None
    assert (custom["unit"], custom["target"]) == ("days", 1.0)


def test_list_log_and_close(theme_id: int, capsys: pytest.CaptureFixture[str]) -> None:
    pilot_id = create(capsys, theme_id, "--start", date.today().isoformat())

    assert (
        run(capsys, "pilots", "log", str(pilot_id), "--kpi", "approval time", "--value", "3.5")[0]
        == 0
    )
    code, out, _ = run(capsys, "pilots", "list", "--format", "json")
    assert code == 0
    [listed] = json.loads(out)
    assert listed["kpis"][2]["current"] == 3.5
    code, out, _ = run(capsys, "pilots", "list")
    assert code == 0 and "Expense approvals wait" in out and "running" in out

    code, _, err = run(
        capsys, "pilots", "close", str(pilot_id), "--verdict", "scale", "--note", "Works"
    )
    assert code == 0, err
    code, out, _ = run(capsys, "pilots", "show", str(pilot_id))
    assert code == 0 and "status closed" in out and "verdict: Scale — Works" in out
    assert "approval time (days)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--theme", "999"], "unknown theme #999"),
        (["--theme", "abc"], "theme 'abc' is not a number"),
        (["--kpi", "nps"], "unknown KPI 'nps'"),
        (["--target", "hours=2"], "a target for KPI 'hours', which this pilot does not have"),
        (
            ["--start", "2026-05-10", "--end", "2026-05-01"],
            "the end 2026-05-01 is before the start",
        ),
        (["--start", "next week"], "--start 'next week' is not a date"),
        (["--participants", "C123"], "participant 'C123' is not a user"),
    ],
)
def test_bad_input_to_create_is_one_line_and_exit_code_2(
    theme_id: int, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    base = {"--theme": str(theme_id), "--owner": "UOWNER", "--objective": "Try", "--kpi": "reports"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    flat = [item for pair in base.items() for item in pair]

    code, out, err = run(capsys, "pilots", "create", *flat)

    assert code == 2 and out == ""
    assert message in one_line(err)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["log", "{id}", "--kpi", "nps", "--value", "1"], "unknown KPI 'nps' for pilot"),
        (
            ["log", "{id}", "--kpi", "approval time", "--value", "lots"],
            "--value 'lots' is not a number",
        ),
        (["log", "999", "--kpi", "approval time", "--value", "1"], "there is no pilot #999"),
        (["show", "999"], "there is no pilot #999"),
        (["close", "{id}", "--verdict", "maybe"], "unknown verdict 'maybe'"),
        (["set", "{id}", "--target", "speed=1"], "unknown KPI 'speed' for pilot"),
        (["set", "{id}", "--baseline", "reports"], "--baseline 'reports' is not KPI=NUMBER"),
        (["set", "{id}"], "name at least one --baseline or --target KPI=VALUE"),
    ],
)
def test_bad_input_to_other_verbs_is_one_line_and_exit_code_2(
    theme_id: int, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    pilot_id = create(capsys, theme_id)
    code, _, err = run(capsys, "pilots", *(a.format(id=pilot_id) for a in args))
    assert code == 2
    assert message in one_line(err)


def test_closing_a_closed_pilot_is_refused(
    theme_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    pilot_id = create(capsys, theme_id)
    assert run(capsys, "pilots", "close", str(pilot_id), "--verdict", "stop")[0] == 0

    code, _, err = run(capsys, "pilots", "close", str(pilot_id), "--verdict", "scale")

    assert code == 2
    assert f"pilot #{pilot_id} is already closed (stop on" in one_line(err)


def test_the_report_json_gains_priorities_and_pilots(
    theme_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    pilot_id = create(capsys, theme_id)

    code, out, _ = run(capsys, "report", "--format", "json")

    assert code == 0
    document = json.loads(out)
    [priority] = document["priorities"]
    assert {"theme_id", "impact_hours_per_week", "people", "people_with_hours"} <= set(priority)
    assert (priority["theme_id"], priority["impact_hours_per_week"]) == (theme_id, 8.0)
    assert (priority["people"], priority["people_with_hours"]) == (4, 4)
    [pilot] = document["pilots"]
    assert pilot["id"] == pilot_id and set(pilot) >= PILOT_FIELDS


def test_set_changes_baselines_and_targets(
    theme_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    pilot_id = create(capsys, theme_id)

    code, _, err = run(
        capsys, "pilots", "set", str(pilot_id), "--baseline", "reports=5", "--target", "hours=1.5"
    )
    assert code == 0, err
    assert "reports: baseline 5" in err and "hours: target 1.5" in err
    shown = json.loads(run(capsys, "pilots", "show", str(pilot_id), "--format", "json")[1])
    kpis = {kpi["name"]: kpi for kpi in shown["kpis"]}
    assert (kpis["reports"]["baseline"], kpis["hours"]["target"]) == (5.0, 1.5)

    assert run(capsys, "pilots", "set", str(pilot_id), "--baseline", "reports=auto")[0] == 0
    shown = json.loads(run(capsys, "pilots", "show", str(pilot_id), "--format", "json")[1])
    assert shown["kpis"][0]["baseline"] == 2.0  # from the theme's history again
