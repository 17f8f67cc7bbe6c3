"""Measuring a pilot's KPIs by week, as pure functions of stored facts and `today`.

Weeks start on Monday (UTC). Built-in KPIs are numbers about people, so each follows the
minimum-reporter rule: a week, a baseline or a current value backed by fewer than k distinct
people is hidden ("fewer than k"), while an empty week is shown as 0 — it singles nobody out.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot.domain.pilots import WeekPoint

BASELINE_WEEKS = 8  # weeks of history before the start that make the reports baseline
BY_HAND = "set by hand"  # the note of a baseline a person typed in
CURRENT_WEEKS = 4  # the latest complete weeks of the pilot that make its current value
SPARK = "▁▂▃▄▅▆▇█"
WEEK = timedelta(weeks=1)


def monday(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def mondays(first: date, last: date) -> list[date]:
    """Every Monday from the week of `first` to the week of `last`, inclusive."""
    week, end, found = monday(first), monday(last), []
    while week <= end:
        found.append(week)
        week += WEEK
    return found


def measured_until(today: date, end: date, closed: date | None) -> date:
    """The last day a pilot's measurements cover: today, its end, or the day it closed."""
    return min(today, end, closed) if closed else min(today, end)


def complete_weeks(start: date, until: date, limit: int = CURRENT_WEEKS) -> list[date]:
    """The latest complete weeks (Mondays) between the pilot's start and `until`."""
    weeks = [w for w in mondays(start, until) if w >= monday(start) and w + WEEK <= until]
    return weeks[-limit:]


def too_few(k: int, who: str = "people reported") -> str:
    """The note shown instead of a number backed by fewer than k people."""
    return f"fewer than {k} {who}"


def reports_baseline(
    reports: Sequence[tuple[datetime, str]], start: date, k: int
) -> tuple[float | None, str | None]:
    """Mean reports a week in the weeks before the start (up to BASELINE_WEEKS)."""
    first_week = monday(start) - BASELINE_WEEKS * WEEK
    before = [(at.date(), who) for at, who in reports if at.date() < monday(start)]
    window = [(day, who) for day, who in before if day >= first_week]
    if not window:
        return None, "no reports before the start"
    if len({who for _, who in window}) < k:
        return None, too_few(k)
    if few_hidden(window, k):
        return None, too_few(k) + " in some weeks"
    earliest = monday(min(day for day, _ in window))
    weeks = max((monday(start) - earliest) // WEEK, 1)
    return round(len(window) / weeks, 1), None


def few_hidden(reports: Sequence[tuple[date, str]], k: int) -> bool:
    """Whether the weeks a chart hides (1…k-1 people each) are backed by fewer than k people
    together: a mean over the weeks, less the shown ones, would then give their count away."""
    people: dict[date, set[str]] = defaultdict(set)
    for day, who in reports:
        people[monday(day)].add(who)
    hidden: set[str] = set().union(*(week for week in people.values() if len(week) < k))
    return 0 < len(hidden) < k


def reports_series(
    reports: Sequence[tuple[datetime, str]], weeks: Sequence[date], k: int
) -> tuple[WeekPoint, ...]:
    """Reports per week; a week reported by 1…k-1 people is hidden."""
    counts: dict[date, int] = defaultdict(int)
    people: dict[date, set[str]] = defaultdict(set)
    for at, who in reports:
        week = monday(at.date())
        counts[week] += 1
        people[week].add(who)
    points = []
    for week in weeks:
        hidden = 0 < len(people[week]) < k
        points.append(WeekPoint(week, None if hidden else float(counts[week]), hidden))
    return tuple(points)


def reports_current(
    reports: Sequence[tuple[datetime, str]], start: date, until: date, k: int
) -> tuple[float | None, str | None]:
    """Mean reports a week over the pilot's latest complete weeks."""
    weeks = complete_weeks(start, until)
    if not weeks:
        return None, "measured after the first full week"
    window = [(at.date(), who) for at, who in reports if weeks[0] <= at.date() < weeks[-1] + WEEK]
    if window and len({who for _, who in window}) < k:
        return None, too_few(k)
    if few_hidden(window, k):
        return None, too_few(k) + " in some weeks"
    return round(len(window) / len(weeks), 1), None


def typical_hours(rows: Sequence[tuple[str, float]], k: int) -> float | None:
    """Median over people of each person's median hours; None below k people."""
    by_person: dict[str, list[float]] = defaultdict(list)
    for who, hours in rows:
        by_person[who].append(hours)
    if len(by_person) < k:
        return None
    return round(statistics.median(statistics.median(v) for v in by_person.values()), 1)


def hours_baseline(
    reports: Sequence[tuple[datetime, str, float | None]], start: date, k: int
) -> tuple[float | None, str | None]:
    """The theme's typical hours a week per person, from what reporters gave before the start."""
    rows = [(who, hours) for at, who, hours in reports if hours is not None and at.date() < start]
    if not rows:
        return None, "no hours given before the start"
    value = typical_hours(rows, k)
    return (value, None) if value is not None else (None, too_few(k, "people gave hours"))


def hours_series(
    answers: Sequence[tuple[date, str, float]], weeks: Sequence[date], k: int
) -> tuple[WeekPoint, ...]:
    """The typical pulse answer per week; hidden when 1…k-1 people answered."""
    by_week: dict[date, list[tuple[str, float]]] = defaultdict(list)
    for week, who, hours in answers:
        by_week[monday(week)].append((who, hours))
    points = []
    for week in weeks:
        rows = by_week.get(week, [])
        value = typical_hours(rows, k) if rows else None
        points.append(WeekPoint(week, value, bool(rows) and value is None))
    return tuple(points)


def hours_current(
    answers: Sequence[tuple[date, str, float]], k: int
) -> tuple[float | None, str | None]:
    """The typical participant's latest answer, over the latest weeks that have answers (up
    to CURRENT_WEEKS), so one slow week does not hide what the others say now."""
    if not answers:
        return None, "no pulse answers yet"
    weeks = sorted({monday(week) for week, _, _ in answers})[-CURRENT_WEEKS:]
    latest: dict[str, tuple[date, float]] = {}
    for week, who, hours in sorted(answers):
        if monday(week) >= weeks[0]:
            latest[who] = (week, hours)
    value = typical_hours([(who, hours) for who, (_, hours) in latest.items()], k)
    return (value, None) if value is not None else (None, too_few(k, "people answered"))


def custom_series(
    values: Sequence[tuple[date, float]], weeks: Sequence[date]
) -> tuple[WeekPoint, ...]:
    """The latest value logged in each week (a custom KPI is logged by the owner, not people)."""
    latest: dict[date, tuple[date, float]] = {}
    for day, value in sorted(values):
        latest[monday(day)] = (day, value)
    return tuple(WeekPoint(w, latest[w][1] if w in latest else None) for w in weeks)


def custom_current(values: Sequence[tuple[date, float]]) -> tuple[float | None, str | None]:
    """The latest logged value."""
    if not values:
        return None, "no values logged yet"
    return sorted(values)[-1][1], None


def sparkline(points: Sequence[WeekPoint]) -> str:
    """A text chart: one block per week, `·` for a hidden week, ` ` for a week without data."""
    shown = [p.value for p in points if p.value is not None]
    low, high = (min(shown), max(shown)) if shown else (0.0, 0.0)
    span = (high - low) or 1.0
    chars = []
    for point in points:
        if point.hidden:
            chars.append("·")
        elif point.value is None:
            chars.append(" ")
        else:
            chars.append(SPARK[round((point.value - low) / span * (len(SPARK) - 1))])
    return "".join(chars)
