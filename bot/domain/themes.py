"""Themes as managers see them: periods, statuses, summaries, spikes and suggested lessons."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from bot.domain.impact import Impact

if TYPE_CHECKING:
    from bot.domain.audit import AuditSections

STATUSES = {
    "new": "New",
    "under_review": "Under review",
    "piloting": "Piloting",
    "addressed": "Addressed",
    "wont_fix": "Won't fix",
}
MAX_REASON_LENGTH = 500


class StatusError(ValueError):
    """The requested change is not allowed; the message says why."""


@dataclass(frozen=True)
class StatusResult:
    """The theme after the change and whom to tell (opted-in reporters' Slack ids)."""

    theme_id: int
    title: str
    status: str
    reason: str | None
    changed: bool
    notify_user_ids: list[str]


PERIODS: dict[str, timedelta | None] = {
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "all": None,
}
TREND_WINDOW_FOR_ALL = timedelta(days=30)
SPIKE_WEEKS = 12
QUOTES_PER_THEME = 3
OTHER_TEAMS = "other teams"


class SliceTooSmall(Exception):
    """A team or period filter whose slice has fewer distinct reporters than the minimum."""


@dataclass(frozen=True)
class StatusChange:
    """One entry of a theme's status history."""

    status: str
    reason: str | None
    actor: str | None
    at: datetime


@dataclass(frozen=True)
class ThemeSummary:
    """A theme as a manager sees it: only built for themes with at least k reporters."""

    id: int
    title: str
    keywords: list[str]
    size: int
    reporters: int
    quotes: list[str]
    hours_per_week: float
    categories: dict[str, int]
    frequencies: dict[str, int]
    teams: dict[str, int]
    first_seen: datetime
    last_seen: datetime
    current_count: int
    previous_count: int
    spike: bool
    weekly_counts: list[int]
    status: str
    status_reason: str | None
    history: list[StatusChange] = field(default_factory=list)
    # Each reporter counted once; `hours_per_week` above is its estimate (0 below k answers).
    impact: Impact | None = None
    running_pilot: int | None = None
    # The report each quote comes from (same order as `quotes`): a manager may move it.
    quote_ids: list[int | None] = field(default_factory=list)

    @property
    def trend(self) -> float | None:
        """Relative change versus the previous period (None when there was nothing before)."""
        if self.previous_count == 0:
            return None
        return (self.current_count - self.previous_count) / self.previous_count

    @property
    def main_category(self) -> str | None:
        """The most reported category, if any was given."""
        return (
            max(self.categories, key=lambda key: self.categories[key]) if self.categories else None
        )


@dataclass(frozen=True)
class InsightReport:
    """Themes that pass the k rule, plus what was held back and why."""

    period: str
    team: str | None
    min_reporters: int
    generated_at: datetime
    total_painpoints: int
    total_reporters: int
    total_hours_per_week: float
    themes: list[ThemeSummary]
    smaller_signals: int
    suppressed_painpoints: int
    unassigned_painpoints: int
    categories: dict[str, int]
    model: str | None = None
    # The prioritised audit (shortlist, lenses, teams, pilots, training): reports only.
    audit: AuditSections | None = None
    # Reports created up to this instant had their text removed by retention (None: none).
    text_removed_until: datetime | None = None

    def shows(self, *theme_ids: int) -> bool:
        """Whether every theme named is in this report, i.e. passes the k rule."""
        shown = {theme.id for theme in self.themes}
        return all(theme_id in shown for theme_id in theme_ids)


def weekly_counts(dates: Sequence[datetime], now: datetime, weeks: int = SPIKE_WEEKS) -> list[int]:
    """Counts per 7-day window ending at `now`, oldest first (the last entry is this week)."""
    counts = [0] * weeks
    for moment in dates:
        age = (now - moment).total_seconds() / (7 * 86400)
        index = weeks - 1 - math.floor(age)
        if 0 <= index < weeks:
            counts[index] += 1
    return counts


SPIKE_MIN_HISTORY = 3  # weeks of the theme's own history before anything can be a spike
SPIKE_MIN_REPORTS = 3  # never a spike on one or two reports


def spike_history(counts: Sequence[int]) -> list[int]:
    """The weeks before this one since the theme's first report (earlier weeks are not its
    history: the theme did not exist yet)."""
    history = list(counts[:-1])
    first = next((i for i, count in enumerate(history) if count), None)
    return [] if first is None else history[first:]


def spike_baseline(counts: Sequence[int]) -> float:
    """What the theme usually gets in a week: the mean of `spike_history` (0 with none)."""
    history = spike_history(counts)
    return float(np.mean(history)) if history else 0.0


def is_spike(counts: Sequence[int], *, reporters_this_week: int, min_reporters: int) -> bool:
    """Whether this week (the last count) is clearly above the theme's own history.

    Evidence first: at least `min_reporters` different people this week and never fewer than
    three reports. Then the count must stand out: at least twice the usual week and above the
    usual by two standard deviations and by at least two reports, so noise such as
    0, 1, 1, 0, 2 never raises an alert.
    """
    current = counts[-1] if counts else 0
    history = spike_history(counts)
    if len(history) < SPIKE_MIN_HISTORY or reporters_this_week < min_reporters:
        return False
    if current < max(SPIKE_MIN_REPORTS, min_reporters):
        return False
    usual = float(np.mean(history))
    spread = float(np.std(history))
    return current >= 2 * usual and current >= usual + max(2 * spread, 2.0)


@dataclass(frozen=True)
class Suggestion:
    """A lesson suggested for a theme and how well it matches (cosine similarity)."""

    lesson_id: str
    title: str
    score: float


def one_offs_sentence(count: int) -> str:
    """How many reports fit no theme (one-offs, non-answers, or too new to be placed), as a
    count only: their texts are never shown. Empty when there are none."""
    if count <= 0:
        return ""
    verb = "report fits" if count == 1 else "reports fit"
    return f"{count:,} {verb} no theme yet (one-offs); they are counted, not shown."


def trend_label(summary: ThemeSummary) -> str:
    """An arrow and the change versus the previous period."""
    trend = summary.trend
    if trend is None:
        return "🆕 new" if summary.current_count else "→ steady"
    if trend > 0.1:
        return f"↑ +{trend:.0%}"
    if trend < -0.1:
        return f"↓ {trend:.0%}"
    return "→ steady"


@dataclass(frozen=True)
class StatusOutcome:
    """A status change as the manager who made it is told: done, refused, or unchanged."""

    result: StatusResult | None
    refusal: str | None = None
    reached: int = 0


def quoted_reports(quotes: Sequence[str], reports: Sequence[tuple[int, str]]) -> list[int | None]:
    """The id of the report each quote was taken from (None if none), each report used once."""
    used: set[int] = set()
    ids: list[int | None] = []
    for quote in quotes:
        report = next((i for i, text in reports if text == quote and i not in used), None)
        if report is not None:
            used.add(report)
        ids.append(report)
    return ids
