"""The prioritised audit's pure rules: ranking, candidates, lens rows, teams, before/after."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.audit import (
    NO_TEAM,
    OTHER_SMALL_TEAMS,
    ReportFact,
    before_after,
    candidates,
    lens_slices,
    participation,
    rank,
)
from bot.domain.impact import Impact
from tests.bot.reporting.factories import summary

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)


def themed(
    theme_id: int, hours: float | None, people: int, status: str = "new", lens: str = "data_gap"
):  # type: ignore[no-untyped-def]
    impact = Impact(people, people if hours else 0, hours, hours and hours / people)
    return replace(summary(theme_id, reporters=people, status=status, category=lens), impact=impact)


def test_themes_rank_by_estimated_hours_then_reach() -> None:
    themes = [themed(1, 10.0, 5), themed(2, 40.0, 4), themed(3, None, 30), themed(4, None, 9)]

    ranked = rank(themes, running={2: (7, "running")})

    assert [p.theme.id for p in ranked] == [2, 1, 3, 4]
    assert ranked[0].pilot_id == 7
    assert ranked[0].to_dict()["impact_hours_per_week"] == 40.0
    assert {"theme_id", "impact_hours_per_week", "people", "people_with_hours"} <= set(
        ranked[0].to_dict()
    )


def test_candidates_are_top_themes_without_a_pilot_or_a_decision() -> None:
    themes = [
        themed(1, 50.0, 5),
        themed(2, 40.0, 5, status="addressed"),
        themed(3, 30.0, 5),
        themed(4, 20.0, 5),
        themed(5, 10.0, 5),
    ]
    assert candidates(rank(themes, running={1: (9, "running")})) == [3, 4, 5]


def facts(
    team: str | None, people: int, reports: int = 1, lens: str | None = "data_gap"
) -> list[ReportFact]:
    return [ReportFact(f"{team}-{n % people}", team, lens, None) for n in range(people * reports)]


def test_a_lens_row_below_k_shows_no_numbers_and_rows_add_up() -> None:
    rows = facts("A", 4, lens="data_gap") + facts("B", 2, reports=10, lens="customer_facing")
    rows += facts("C", 3, lens=None)

    lenses, hidden = lens_slices(rows, rank([themed(1, 12.0, 4)]), k=3)

    by_key = {row.key: row for row in lenses}
    assert (by_key["data_gap"].reports, by_key["data_gap"].people) == (4, 4)
    assert by_key["data_gap"].themes == (1,) and by_key["data_gap"].hours_per_week == 12.0
    assert by_key["customer_facing"].hidden and by_key["customer_facing"].reports is None
    assert by_key[""].label == "Not yet classified" and by_key[""].reports == 3
    assert by_key["repetitive_task"].reports == 0
    assert hidden == 20
    shown = sum(row.reports or 0 for row in lenses)
    assert shown + hidden == len(rows)


def test_small_teams_are_named_only_when_configured() -> None:
    rows = facts("Finance", 5) + facts("Payroll", 2) + facts("Legal", 1) + facts(None, 3)

    teams = participation(rows, k=3, known_teams=["Finance", "Legal", "Design"])

    assert [(t.label, t.reports, t.people) for t in teams] == [
        ("Finance", 5, 5),
        (NO_TEAM, 3, 3),
        ("Design", None, None),
        ("Legal", None, None),
        (OTHER_SMALL_TEAMS, None, None),
    ]
    assert all("Payroll" not in t.label for t in teams)


def test_before_and_after_a_lesson_under_the_k_rule() -> None:
    sent = NOW - timedelta(weeks=4)
    reports = [(sent - timedelta(days=d), f"p{d % 5}") for d in range(1, 40, 2)]
    reports += [(sent + timedelta(days=3), "p1"), (sent + timedelta(days=9), "p2")]

    before, after = before_after(reports, sent, NOW, k=3)

    assert before == (2.5, 8, None)
    assert after == (None, 4, "fewer than 3 people reported")
    quiet = before_after(reports[:-2], sent, NOW, k=3)[1]
    assert quiet == (0.0, 4, None)
