"""Pilots as managers define and see them: drafts, KPIs, verdicts, and their plain records."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.domain.schedule import EARLIEST_OFFSET, Schedule

VERDICTS = {"scale": "Scale", "iterate": "Iterate", "stop": "Stop"}
# What a verdict does to the theme: scaling means the fix works; iterating or stopping sends
# the problem back for review (it is not solved).
VERDICT_STATUS = {"scale": "addressed", "iterate": "under_review", "stop": "under_review"}
BUILT_IN_KPIS: dict[str, tuple[str, str]] = {
    "reports": ("reports/week", "The theme's reports per week"),
    "hours": ("h/week per person", "Hours a week the problem costs each participant"),
}
DEFAULT_LENGTH = timedelta(weeks=8)
MAX_NAME = 64
MAX_UNIT = 32
MAX_OBJECTIVE = 1000
MAX_NOTE = 2000
# When participants get the pulse, read in each one's own time zone; weekends are skipped.
PULSES: dict[str, str] = {
    "weekly": "weekly, Friday 15:00 local time",
    "monday": "weekly, Monday 10:00 local time",
    "daily": "every weekday, 16:00 local time",
    "off": "no pulses",
}
_PARTICIPANT = re.compile(r"[UWS][A-Z0-9]{2,30}")
_KPI_NAME = re.compile(r"[^\s:=][^:=]*")


class PilotError(ValueError):
    """Input a pilot cannot take; the message is one line that says why."""


@dataclass(frozen=True)
class KpiSpec:
    """One KPI of a pilot: built in (`reports`, `hours`) or custom (values logged by hand)."""

    name: str
    kind: str  # reports | hours | custom
    unit: str


def parse_kpi(text: str) -> KpiSpec:
    """`reports`, `hours` or `custom:NAME:UNIT`; PilotError otherwise."""
    cleaned = text.strip()
    if cleaned in BUILT_IN_KPIS:
        return KpiSpec(cleaned, cleaned, BUILT_IN_KPIS[cleaned][0])
    kind, _, rest = cleaned.partition(":")
    name, _, unit = rest.partition(":")
    name, unit = " ".join(name.split()), " ".join(unit.split())
    if kind != "custom" or not name or not unit:
        raise PilotError(f"unknown KPI {text!r}: use reports, hours or custom:NAME:UNIT")
    if name in BUILT_IN_KPIS or not _KPI_NAME.fullmatch(name):
        raise PilotError(f"a custom KPI cannot be called {name!r}")
    if len(name) > MAX_NAME or len(unit) > MAX_UNIT:
        raise PilotError(f"keep KPI names under {MAX_NAME} and units under {MAX_UNIT} characters")
    return KpiSpec(name, "custom", unit)


def parse_assignments(items: Sequence[str], what: str) -> dict[str, float]:
    """`KPI=VALUE` items (for --target and --baseline) → {KPI: value}."""
    found: dict[str, float] = {}
    for item in items:
        name, sep, raw = item.rpartition("=")
        value = parse_number(raw) if sep else None
        if not name.strip() or value is None:
            raise PilotError(f"{what} {item!r} is not KPI=NUMBER")
        found[" ".join(name.split())] = value
    return found


def parse_number(text: str) -> float | None:
    """A finite number written with a dot or a comma; None otherwise."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def parse_day(text: str, what: str) -> date:
    """An ISO date (a datetime's date part is accepted); PilotError otherwise."""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise PilotError(f"{what} {text!r} is not a date like 2026-03-02") from None


def parse_participants(texts: Sequence[str]) -> list[str]:
    """User (U…, W…) and user-group (S…) ids, comma- or space-separated, deduplicated."""
    found: list[str] = []
    for text in texts:
        for part in re.split(r"[\s,]+", text.strip()):
            if not part:
                continue
            match = re.fullmatch(r"<[@!](?:subteam\^)?([A-Z0-9]+)(?:\|[^>]*)?>", part)
            entry = match.group(1) if match else part.upper()
            if not _PARTICIPANT.fullmatch(entry):
                raise PilotError(f"participant {part!r} is not a user (U…) or user group (S…)")
            if entry not in found:
                found.append(entry)
    return found


@dataclass(frozen=True)
class PilotDraft:
    """Everything needed to start a pilot, before it is checked against the database."""

    theme_id: int
    owner: str
    objective: str
    kpis: tuple[KpiSpec, ...]
    start: date
    end: date
    targets: dict[str, float] = field(default_factory=dict)
    baselines: dict[str, float] = field(default_factory=dict)
    participants: tuple[str, ...] = ()
    include_reporters: bool = True
    pulse: str = "weekly"

    def check(self) -> None:
        """Refuse what no database lookup is needed to refuse (PilotError, one line)."""
        if not self.objective.strip():
            raise PilotError("give the pilot an objective")
        if len(self.objective) > MAX_OBJECTIVE:
            raise PilotError(f"keep the objective under {MAX_OBJECTIVE} characters")
        if not re.fullmatch(r"[UW][A-Z0-9]{2,30}", self.owner):
            raise PilotError(f"owner {self.owner!r} is not a Slack user id (U…)")
        if not self.kpis:
            raise PilotError("a pilot needs at least one KPI")
        names = [kpi.name for kpi in self.kpis]
        duplicate = next((name for name in names if names.count(name) > 1), None)
        if duplicate:
            raise PilotError(f"KPI {duplicate!r} is given twice")
        for what, values in (("target", self.targets), ("baseline", self.baselines)):
            unknown = next((name for name in values if name not in names), None)
            if unknown:
                raise PilotError(f"a {what} for KPI {unknown!r}, which this pilot does not have")
        if self.end < self.start:
            raise PilotError(f"the end {self.end} is before the start {self.start}")
        if self.pulse not in PULSES:
            raise PilotError(f"unknown pulse schedule {self.pulse!r}: use {', '.join(PULSES)}")


def pilot_status(stored: str, start: date, today: date) -> str:
    """closed, planned (before its start) or running."""
    if stored == "closed":
        return "closed"
    return "planned" if today < start else "running"


@dataclass(frozen=True)
class WeekPoint:
    """One week of a KPI: its Monday and value (None: hidden below the minimum, or no data)."""

    week: date
    value: float | None
    hidden: bool = False


@dataclass(frozen=True)
class KpiView:
    """A KPI as shown: baseline, current value and target, with the weekly series."""

    name: str
    kind: str
    unit: str
    baseline: float | None
    target: float | None
    current: float | None
    series: tuple[WeekPoint, ...] = ()
    baseline_note: str | None = None
    current_note: str | None = None

    @property
    def lower_is_better(self) -> bool:
        """Reports and hours should fall; a custom KPI moves the way its target lies."""
        if self.kind != "custom":
            return True
        if self.target is None or self.baseline is None:
            return False
        return self.target < self.baseline

    @property
    def met(self) -> bool | None:
        """Whether the current value reached the target (None when either is unknown)."""
        if self.current is None or self.target is None:
            return None
        if self.lower_is_better:
            return self.current <= self.target
        return self.current >= self.target

    def to_dict(self) -> dict[str, Any]:
        """The contract's {name, unit, baseline, current, target}, plus the series."""
        return {
            "name": self.name,
            "unit": self.unit,
            "baseline": self.baseline,
            "current": self.current,
            "target": self.target,
            "kind": self.kind,
            "met": self.met,
            "baseline_note": self.baseline_note,
            "current_note": self.current_note,
            "weekly": [
                {"week": p.week.isoformat(), "value": p.value, "hidden": p.hidden}
                for p in self.series
            ],
        }


@dataclass(frozen=True)
class PilotView:
    """A pilot as managers, owners and the report see it."""

    id: int
    theme_id: int | None
    theme_title: str
    status: str
    owner: str
    objective: str
    start: date
    end: date
    kpis: tuple[KpiView, ...]
    pulse: str
    participants: tuple[str, ...]
    include_reporters: bool
    created_by: str
    created_at: datetime
    pulses_sent: int = 0
    verdict: str | None = None
    note: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    def kpi(self, name: str) -> KpiView | None:
        """The KPI of that name, or None."""
        return next((kpi for kpi in self.kpis if kpi.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The contract's pilot record (id, theme_id, status, owner, objective, start, end,
        kpis) with the verdict and the schedule."""
        return {
            "id": self.id,
            "theme_id": self.theme_id,
            "theme_title": self.theme_title,
            "status": self.status,
            "owner": self.owner,
            "objective": self.objective,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "kpis": [kpi.to_dict() for kpi in self.kpis],
            "pulse": self.pulse,
            "pulses_sent": self.pulses_sent,
            "verdict": self.verdict,
            "note": self.note,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
        }


@dataclass(frozen=True)
class PilotDefaults:
    """What the start form is prefilled with for a theme (baselines under the k rule)."""

    theme_id: int
    theme_title: str
    baselines: dict[str, float | None]
    running_pilot: int | None = None


@dataclass(frozen=True)
class CloseResult:
    """A closed pilot, and how many people its closing message goes to (once each)."""

    pilot: PilotView
    theme_status: str | None


# The outbox carries a pilot's DMs as deliveries whose "lesson" names the message and pilot.
OUTBOX_KINDS = ("pulse", "pilot-start", "pilot-close")


def outbox_key(kind: str, pilot_id: int) -> str:
    """The delivery's lesson id for a pilot message: `pulse:12`, `pilot-close:12`…"""
    return f"{kind}:{pilot_id}"


def outbox_kind(lesson_id: str) -> tuple[str, int] | None:
    """(kind, pilot id) of a pilot message's lesson id; None for a lesson."""
    kind, _, number = lesson_id.partition(":")
    return (kind, int(number)) if kind in OUTBOX_KINDS and number.isdigit() else None


_PULSE_TIMES = {
    "weekly": ((4,), time(15, 0)),
    "monday": ((0,), time(10, 0)),
    "daily": ((0, 1, 2, 3, 4), time(16, 0)),
}


def pulse_schedule(pulse: str, start: date, end: date, now: datetime) -> Schedule | None:
    """When pulses go out: at the chosen working hour in each participant's own time zone,
    weekdays only, from the start to the end date (None for "off")."""
    if pulse not in _PULSE_TIMES:
        return None
    weekdays, at = _PULSE_TIMES[pulse]
    # Wall times begin 14 hours before UTC midnight (UTC+14), and the last ones of the end
    # date expand 14 hours before the next UTC midnight.
    first = datetime.combine(start, time(0), UTC) - EARLIEST_OFFSET
    last = datetime.combine(end + timedelta(days=1), time(0), UTC) - EARLIEST_OFFSET
    return Schedule(
        kind="weekly",
        start=max(first, now),
        local_time=True,
        time_of_day=at,
        weekdays=weekdays,
        skip_weekends=True,
        end=last,
    )


def once_now(now: datetime) -> Schedule:
    """A one-off schedule for a message that goes out at once (start and close DMs)."""
    return Schedule(kind="once", start=now, at=now)
