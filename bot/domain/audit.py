"""The prioritised audit: shortlist, lenses, participation, pilots and training, under the k rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.impact import Impact
from bot.domain.lenses import LENSES, UNCLASSIFIED
from bot.domain.pilots import PilotView
from bot.domain.themes import ThemeSummary

SHORTLIST = 5
CANDIDATES = 3
TRAINING_WEEKS = 8
NO_TEAM = "no team given"
OTHER_SMALL_TEAMS = "other teams"
CANDIDATE_STATUSES = ("new", "under_review")


@dataclass(frozen=True)
class ReportFact:
    """What the audit needs of one report in the slice."""

    reporter: str
    team: str | None
    lens: str | None
    theme_id: int | None  # None when in no theme shown to managers


@dataclass(frozen=True)
class Priority:
    """One theme in the ranked shortlist."""

    rank: int
    theme: ThemeSummary
    impact: Impact
    pilot_id: int | None = None
    pilot_status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The contract's priority record (theme_id, impact_hours_per_week, people,
        people_with_hours) with what a reader needs next to it."""
        t = self.theme
        return {
            "rank": self.rank,
            "theme_id": t.id,
            "title": t.title,
            "impact_hours_per_week": self.impact.hours_per_week,
            "people": self.impact.people,
            "people_with_hours": self.impact.people_with_hours,
            "typical_hours": self.impact.typical_hours,
            "frequency": self.impact.frequency,
            "reports": t.size,
            "trend": None if t.trend is None else round(t.trend, 3),
            "lens": t.main_category,
            "status": t.status,
            "pilot": self.pilot_id,
        }


@dataclass(frozen=True)
class Slice:
    """Reports and distinct people of a lens or a team; both None when below k."""

    key: str
    label: str
    reports: int | None
    people: int | None
    themes: tuple[int, ...] = ()
    hours_per_week: float | None = None

    @property
    def hidden(self) -> bool:
        """True when the slice has fewer than k people and its numbers are not shown."""
        return self.people is None


@dataclass(frozen=True)
class TrainingEffect:
    """A theme's weekly reports before and after its matching lesson was sent."""

    theme_id: int
    title: str
    lesson: str
    sent_at: datetime
    before: float | None
    after: float | None
    before_weeks: int
    after_weeks: int
    before_note: str | None = None
    after_note: str | None = None


@dataclass(frozen=True)
class AuditSections:
    """Everything the prioritised audit adds to the themes report."""

    priorities: list[Priority]
    lenses: list[Slice]
    participation: list[Slice]
    pilots: list[PilotView] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    training: list[TrainingEffect] = field(default_factory=list)
    hidden_lens_reports: int = 0


def rank(
    themes: Sequence[ThemeSummary], running: dict[int, tuple[int, str]] | None = None
) -> list[Priority]:
    """Themes by estimated hours a week (known estimates first), then reach."""
    running = running or {}

    def key(t: ThemeSummary) -> tuple[int, float, int, int, int]:
        hours = t.impact.hours_per_week if t.impact else None
        return (hours is None, -(hours or 0.0), -t.reporters, -t.size, t.id)

    ordered = sorted(themes, key=key)
    return [
        Priority(
            rank=n,
            theme=t,
            impact=t.impact or Impact(t.reporters, 0, None, None),
            pilot_id=running.get(t.id, (None, None))[0],
            pilot_status=running.get(t.id, (None, None))[1],
        )
        for n, t in enumerate(ordered, start=1)
    ]


def candidates(priorities: Sequence[Priority], limit: int = CANDIDATES) -> list[int]:
    """The highest-ranked themes nobody is piloting yet and nobody has closed."""
    return [
        p.theme.id
        for p in priorities
        if p.pilot_id is None and p.theme.status in CANDIDATE_STATUSES
    ][:limit]


def _slice(key: str, label: str, rows: Sequence[ReportFact], k: int) -> Slice:
    people = len({row.reporter for row in rows})
    if 0 < people < k:
        return Slice(key, label, None, None)
    return Slice(key, label, len(rows), people)


def lens_slices(
    facts: Sequence[ReportFact], priorities: Sequence[Priority], k: int
) -> tuple[list[Slice], int]:
    """One row per lens (and unclassified reports); returns the rows and the reports hidden."""
    by_lens: dict[str | None, list[ReportFact]] = defaultdict(list)
    for fact in facts:
        by_lens[fact.lens if fact.lens in LENSES else None].append(fact)
    rows, hidden = [], 0
    keys: list[str | None] = [*LENSES, None]
    for key in keys:
        members = by_lens.get(key, [])
        if key is None and not members:
            continue
        themes = [p for p in priorities if p.theme.main_category == key]
        known = [p.impact.hours_per_week for p in themes if p.impact.hours_per_week is not None]
        row = _slice(key or "", LENSES.get(key or "", UNCLASSIFIED), members, k)
        hidden += len(members) if row.hidden else 0
        rows.append(
            Slice(
                row.key,
                row.label,
                row.reports,
                row.people,
                tuple(p.theme.id for p in themes),
                round(sum(known), 1) if known else None,
            )
        )
    return rows, hidden


def participation(
    facts: Sequence[ReportFact], k: int, known_teams: Sequence[str] = ()
) -> list[Slice]:
    """Reports and distinct reporters per team, most people first.

    A team below k is named only when it is a configured team (shown as "fewer than k",
    however few, so zero and one look alike); other small teams fold into one unnamed row,
    as free-text team names can point at a person.
    """
    by_team: dict[str, list[ReportFact]] = defaultdict(list)
    for fact in facts:
        by_team[fact.team or NO_TEAM].append(fact)
    for team in known_teams:
        by_team.setdefault(team, [])
    rows, folded = [], False
    for team, members in by_team.items():
        row = _slice(team, team, members, k)
        if team in known_teams and not members:
            row = Slice(team, team, None, None)
        if row.hidden and team not in known_teams and team != NO_TEAM:
            folded = True
            continue
        rows.append(row)
    rows.sort(key=lambda r: (r.hidden, -(r.people or 0), r.key == NO_TEAM, r.key))
    if folded:
        rows.append(Slice(OTHER_SMALL_TEAMS, OTHER_SMALL_TEAMS, None, None))
    return rows


def before_after(
    reports: Sequence[tuple[datetime, str]], sent_at: datetime, now: datetime, k: int
) -> tuple[tuple[float | None, int, str | None], tuple[float | None, int, str | None]]:
    """Mean weekly reports in up to TRAINING_WEEKS weeks before and after a send."""
    span = timedelta(weeks=TRAINING_WEEKS)
    after_weeks = max(min(int((now - sent_at) / timedelta(weeks=1)), TRAINING_WEEKS), 0)

    def window(start: datetime, end: datetime, weeks: int) -> tuple[float | None, int, str | None]:
        if weeks == 0:
            return None, 0, "not a full week yet"
        rows = [who for at, who in reports if start <= at < end]
        if rows and len(set(rows)) < k:
            return None, weeks, f"fewer than {k} people reported"
        return round(len(rows) / weeks, 1), weeks, None

    before = window(sent_at - span, sent_at, TRAINING_WEEKS)
    after = window(sent_at, sent_at + timedelta(weeks=after_weeks), after_weeks)
    return before, after
