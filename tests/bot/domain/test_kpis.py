"""Measuring KPIs by week: baselines, current values and series under the k rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain import kpis
from bot.domain.pilots import KpiView, WeekPoint

START = date(2026, 3, 2)  # a Monday


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def weekly(people: int, per_week: int, first: date, weeks: int) -> list[tuple[datetime, str]]:
    rows = []
    for week in range(weeks):
        for n in range(per_week):
            rows.append((at(first + timedelta(weeks=week, days=n % 5)), f"p{n % people}"))
    return rows


def test_the_reports_baseline_is_the_mean_week_before_the_start() -> None:
    history = weekly(people=4, per_week=6, first=START - timedelta(weeks=8), weeks=8)

    assert kpis.reports_baseline(history, START, k=3) == (6.0, None)


def test_a_short_history_is_averaged_over_the_weeks_it_covers() -> None:
    history = weekly(people=3, per_week=4, first=START - timedelta(weeks=2), weeks=2)
    assert kpis.reports_baseline(history, START, k=3) == (4.0, None)


def test_a_baseline_from_fewer_than_k_people_is_hidden() -> None:
    history = weekly(people=2, per_week=10, first=START - timedelta(weeks=4), weeks=4)
    assert kpis.reports_baseline(history, START, k=3) == (None, "fewer than 3 people reported")
    assert kpis.reports_baseline([], START, k=3) == (None, "no reports before the start")


def test_weeks_with_one_to_k_minus_one_reporters_are_hidden_and_empty_weeks_are_zero() -> None:
    rows = [
        (at(START), "a"),
        (at(START + timedelta(days=1)), "b"),
        (at(START + timedelta(days=2)), "c"),
        (at(START + timedelta(weeks=1)), "a"),
        (at(START + timedelta(weeks=1, days=1)), "a"),
    ]
    weeks = kpis.mondays(START, START + timedelta(weeks=2))

    series = kpis.reports_series(rows, weeks, k=3)

    assert series == (
        WeekPoint(START, 3.0),
        WeekPoint(START + timedelta(weeks=1), None, hidden=True),
        WeekPoint(START + timedelta(weeks=2), 0.0),
    )
    assert kpis.sparkline(series) == "█·▁"


def test_current_reports_are_the_mean_of_the_latest_complete_weeks() -> None:
    rows = weekly(people=3, per_week=3, first=START, weeks=6)
    today = START + timedelta(weeks=6, days=2)

    assert kpis.reports_current(rows, START, today, k=3) == (3.0, None)
    assert kpis.reports_current(rows, START, START + timedelta(days=3), k=3) == (
        None,
        "measured after the first full week",
    )


def test_no_reports_at_all_during_the_pilot_is_shown_as_zero() -> None:
    today = START + timedelta(weeks=3)
    assert kpis.reports_current([], START, today, k=3) == (0.0, None)


def test_the_hours_baseline_is_the_typical_persons_median() -> None:
    rows = [
        (at(START - timedelta(days=10)), "a", 8.0),
        (at(START - timedelta(days=9)), "a", 8.0),
        (at(START - timedelta(days=9)), "b", 2.0),
        (at(START - timedelta(days=8)), "c", 3.0),
        (at(START + timedelta(days=8)), "d", 40.0),  # after the start: not the baseline
    ]
    assert kpis.hours_baseline(rows, START, k=3) == (3.0, None)
    assert kpis.hours_baseline(rows[:3], START, k=3) == (None, "fewer than 3 people gave hours")


def test_pulse_answers_make_the_hours_series_and_current_value() -> None:
    week1, week2 = START, START + timedelta(weeks=1)
    answers = [(week1, "a", 4.0), (week1, "b", 4.0), (week1, "c", 2.0)]
    answers += [(week2, "a", 0.5), (week2, "b", 2.0)]

    series = kpis.hours_series(answers, [week1, week2], k=3)

    assert series == (WeekPoint(week1, 4.0), WeekPoint(week2, None, hidden=True))
    assert kpis.hours_current(answers, k=3) == (2.0, None)
    assert kpis.hours_current(answers[3:], k=3) == (None, "fewer than 3 people answered")


def test_custom_values_take_the_latest_of_each_week() -> None:
    values = [(START, 10.0), (START + timedelta(days=3), 8.0), (START + timedelta(weeks=2), 5.0)]
    weeks = kpis.mondays(START, START + timedelta(weeks=2))

    assert [p.value for p in kpis.custom_series(values, weeks)] == [8.0, None, 5.0]
    assert kpis.custom_current(values) == (5.0, None)


def test_a_target_is_met_in_the_direction_the_kpi_should_move() -> None:
    falling = KpiView("reports", "reports", "reports/week", 6.0, 3.0, 2.0)
    rising = KpiView("nps", "custom", "points", 20.0, 40.0, 35.0)
    assert falling.met is True and falling.lower_is_better
    assert rising.met is False and not rising.lower_is_better
    assert KpiView("x", "custom", "u", None, None, 1.0).met is None


def test_a_hidden_week_cannot_be_worked_out_from_a_mean_over_the_weeks() -> None:
    # Three weeks of three people, then a week where only "d" reported, twice: the chart hides
    # that week, but four times the mean, less the three shown weeks, would say "2".
    rows = weekly(people=3, per_week=3, first=START, weeks=3)
    rows += [(at(START + timedelta(weeks=3)), "d"), (at(START + timedelta(weeks=3, days=1)), "d")]
    today = START + timedelta(weeks=4, days=1)
    assert kpis.reports_series(rows, kpis.mondays(START, today), k=3)[3].hidden

    hidden = (None, "fewer than 3 people reported in some weeks")
    assert kpis.reports_current(rows, START, today, k=3) == hidden
    before = [(moment - timedelta(weeks=4), who) for moment, who in rows]
    assert kpis.reports_baseline(before, START, k=3) == hidden

    # Hidden weeks of three people together may count: their sum describes three people.
    rows = weekly(people=3, per_week=3, first=START, weeks=1)
    rows += [(at(START + timedelta(weeks=n)), who) for n, who in ((1, "d"), (2, "e"), (3, "f"))]
    assert kpis.reports_current(rows, START, today, k=3) == (1.5, None)
