"""Who is due when: pure functions of `now`, time zones, weekends and quiet hours.

Nothing here reads a clock or a database. A campaign's schedule produces *occurrences* (a run of
the campaign: one lesson for a set of recipients); each occurrence is either one instant for
everybody, or a wall-clock time read in each recipient's own time zone. `due_at` turns an
occurrence and a recipient's time zone into the UTC instant the nudge may go out, applying
weekend and quiet-hour rules in the recipient's local time.

DST: a wall time that does not exist (the spring-forward gap) moves forward by the gap, one that
happens twice (fall back) means its first occurrence. So "10:00 every day in Europe/Berlin" is
09:00 UTC in winter and 08:00 UTC in summer, and a nudge due at 02:30 on the last Sunday of March
goes out at 03:30 local time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from bot.domain.crontab import CrontabError, cron_day_of_week

Kind = Literal["once", "daily", "weekly", "cron"]
KINDS: tuple[Kind, ...] = ("once", "daily", "weekly", "cron")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Local wall times happen first in UTC+14 (Line Islands) and last in UTC-12 (Baker Island).
EARLIEST_OFFSET = timedelta(hours=14)
LATEST_OFFSET = timedelta(hours=12)


class ScheduleError(CrontabError):
    """A schedule that cannot work; the message says why in one line."""


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The named IANA zone; unknown or missing names fall back (Slack may send odd values)."""
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a naive wall time in `tz` (gap → shifted forward, fold → first)."""
    # fold=0 makes zoneinfo read a non-existent time with the offset in force before the
    # transition, which lands `gap` later on the new local clock: the shift-forward we want.
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def to_wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive local wall time of a UTC instant in `tz`."""
    return instant.astimezone(tz).replace(tzinfo=None)


@dataclass(frozen=True)
class QuietHours:
    """A daily local window without nudges; may wrap midnight (20:00–08:00)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ScheduleError("quiet hours must start and end at different times")

    def contains(self, moment: time) -> bool:
        """True when a local time of day falls inside the window (start inclusive)."""
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def end_after(self, wall: datetime) -> datetime:
        """The wall time at which the window containing `wall` ends."""
        end = datetime.combine(wall.date(), self.end)
        return end if end > wall else end + timedelta(days=1)

    @property
    def length(self) -> timedelta:
        """How long the window lasts."""
        start = datetime.combine(date(2000, 1, 1), self.start)
        end = datetime.combine(date(2000, 1, 1), self.end)
        return end - start if end > start else end + timedelta(days=1) - start

    def label(self) -> str:
        """`20:00–08:00`."""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True)
class Schedule:
    """When a campaign's occurrences happen; stored as JSON on the campaign."""

    kind: Kind
    start: datetime  # aware UTC: recurring occurrences begin after this instant
    timezone: str = "UTC"  # where wall times are read unless `local_time`
    local_time: bool = False  # read wall times in each recipient's own zone
    at: datetime | None = None  # once: aware = one instant; naive = a wall time
    time_of_day: time | None = None  # daily and weekly
    weekdays: tuple[int, ...] = ()  # weekly: 0 = Monday
    cron: str | None = None  # five crontab fields, standard numbering (0 or 7 = Sunday)
    skip_weekends: bool = False
    quiet: QuietHours | None = None
    steps: int = 1  # lessons in the track (1 for a single lesson)
    spacing_days: int = 0  # days between a one-off track's lessons
    _trigger: CronTrigger | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ScheduleError(f"unknown schedule kind {self.kind!r}")
        if self.start.tzinfo is None:
            raise ScheduleError("start must be timezone-aware")
        zone(self.timezone)
        if self.steps < 1:
            raise ScheduleError("a campaign needs at least one lesson")
        if self.kind == "once" and self.at is None:
            raise ScheduleError("a one-off needs a date and time")
        if self.kind in ("daily", "weekly") and self.time_of_day is None:
            raise ScheduleError("a recurring nudge needs a time of day")
        if self.kind == "weekly" and not self.weekdays:
            raise ScheduleError("a weekly nudge needs at least one weekday")
        if any(not 0 <= day <= 6 for day in self.weekdays):
            raise ScheduleError("weekdays are 0 (Monday) to 6 (Sunday)")
        if self.kind == "cron" and not self.cron:
            raise ScheduleError("a cron schedule needs an expression")
        if self.kind != "once":
            object.__setattr__(self, "_trigger", _wall_trigger(self))

    @property
    def recurring(self) -> bool:
        """Daily, weekly and cron schedules repeat; one-offs (and their tracks) do not."""
        return self.kind != "once"

    # -- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (stored on the campaign and pickled into the scheduler's job)."""
        return {
            "kind": self.kind,
            "start": self.start.astimezone(UTC).isoformat(),
            "timezone": self.timezone,
            "local_time": self.local_time,
            "at": self.at.isoformat() if self.at else None,
            "time_of_day": self.time_of_day.strftime("%H:%M") if self.time_of_day else None,
            "weekdays": list(self.weekdays),
            "cron": self.cron,
            "skip_weekends": self.skip_weekends,
            "quiet": [self.quiet.start.strftime("%H:%M"), self.quiet.end.strftime("%H:%M")]
            if self.quiet
            else None,
            "steps": self.steps,
            "spacing_days": self.spacing_days,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Schedule:
        """Inverse of `to_dict`."""
        quiet = data.get("quiet")
        return cls(
            kind=data["kind"],
            start=datetime.fromisoformat(data["start"]),
            timezone=data.get("timezone") or "UTC",
            local_time=bool(data.get("local_time")),
            at=datetime.fromisoformat(data["at"]) if data.get("at") else None,
            time_of_day=parse_time(data["time_of_day"]) if data.get("time_of_day") else None,
            weekdays=tuple(int(day) for day in data.get("weekdays") or ()),
            cron=data.get("cron"),
            skip_weekends=bool(data.get("skip_weekends")),
            quiet=QuietHours(parse_time(quiet[0]), parse_time(quiet[1])) if quiet else None,
            steps=int(data.get("steps") or 1),
            spacing_days=int(data.get("spacing_days") or 0),
        )

    def describe(self) -> str:
        """A short human description: `weekly on Tue at 10:00, each recipient's local time`."""
        if self.kind == "once":
            assert self.at is not None
            when = (
                f"once at {self.at:%Y-%m-%d %H:%M}"
                if self.at.tzinfo is None
                else f"once at {self.at.astimezone(zone(self.timezone)):%Y-%m-%d %H:%M}"
            )
            if self.steps > 1:
                when += f", then every {self.spacing_days} days"
        elif self.kind == "daily":
            assert self.time_of_day is not None
            when = f"daily at {self.time_of_day:%H:%M}"
        elif self.kind == "weekly":
            assert self.time_of_day is not None
            days = ", ".join(WEEKDAYS[d].capitalize() for d in sorted(self.weekdays))
            when = f"weekly on {days} at {self.time_of_day:%H:%M}"
        else:
            when = f"cron `{self.cron}`"
        when += ", each recipient's local time" if self.local_time else f" ({self.timezone})"
        if self.skip_weekends:
            when += ", weekdays only"
        if self.quiet:
            when += f", quiet hours {self.quiet.label()}"
        return when


def parse_time(text: str) -> time:
    """`HH:MM` (24-hour) → time; ScheduleError otherwise."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text or "")
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ScheduleError(f"{text!r} is not a time like 09:30")
    return time(int(match.group(1)), int(match.group(2)))


def _wall_trigger(schedule: Schedule) -> CronTrigger:
    """A cron trigger over *wall* time: run in UTC, which has no DST, then read as local."""
    try:
        if schedule.kind == "daily":
            assert schedule.time_of_day is not None
            tod = schedule.time_of_day
            return CronTrigger(hour=tod.hour, minute=tod.minute, timezone=UTC)
        if schedule.kind == "weekly":
            assert schedule.time_of_day is not None
            tod = schedule.time_of_day
            days = ",".join(WEEKDAYS[d] for d in sorted(set(schedule.weekdays)))
            return CronTrigger(day_of_week=days, hour=tod.hour, minute=tod.minute, timezone=UTC)
        fields = (schedule.cron or "").split()
        if len(fields) != 5:
            raise ScheduleError("a cron expression has five fields: minute hour day month weekday")
        minute, hour, day, month, dow = fields
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=cron_day_of_week(dow),
            timezone=UTC,
        )
    except CrontabError as exc:
        raise ScheduleError(str(exc)) from None
    except (ValueError, TypeError) as exc:
        raise ScheduleError(f"invalid cron expression: {exc}") from None


@dataclass(frozen=True)
class Occurrence:
    """One run of a campaign: a lesson step at an instant or at a wall time."""

    key: str  # unique within the campaign; stored on the run row
    step: int  # index into the track's lessons (0 for a single lesson)
    instant: datetime | None  # aware UTC when everybody gets it at the same moment
    wall: datetime | None  # naive wall time, read in each recipient's zone

    @property
    def expand_at(self) -> datetime:
        """When the run must be expanded: its instant, or when the wall time first occurs."""
        if self.instant is not None:
            return self.instant
        assert self.wall is not None
        return self.wall.replace(tzinfo=UTC) - EARLIEST_OFFSET


def _make(step: int, instant: datetime | None, wall: datetime | None) -> Occurrence:
    if instant is not None:
        key = f"s{step}@{instant.astimezone(UTC):%Y-%m-%dT%H:%MZ}"
    else:
        assert wall is not None
        key = f"s{step}@{wall:%Y-%m-%dT%H:%M}L"
    return Occurrence(key=key, step=step, instant=instant, wall=wall)


def _iter_occurrences(schedule: Schedule) -> Iterator[Occurrence]:
    """Every occurrence in order of expansion time (infinite for recurring single lessons)."""
    tz = zone(schedule.timezone)
    if schedule.kind == "once":
        assert schedule.at is not None
        first = schedule.at
        for step in range(schedule.steps):
            offset = timedelta(days=step * schedule.spacing_days)
            if first.tzinfo is not None:
                if step == 0:
                    yield _make(0, first.astimezone(UTC), None)
                    continue
                # Later steps keep the first step's local time of day across DST changes.
                yield _make(step, to_utc(to_wall(first, tz) + offset, tz), None)
            elif schedule.local_time:
                yield _make(step, None, first + offset)
            else:
                yield _make(step, to_utc(first + offset, tz), None)
        return
    trigger = schedule._trigger
    assert trigger is not None
    # Recurring: the first occurrence is the first one that has not begun anywhere yet, so
    # every recipient gets the same sequence (a track's first lesson reaches everybody).
    if schedule.local_time:
        cursor = to_wall(schedule.start, ZoneInfo("UTC")) + EARLIEST_OFFSET
    else:
        cursor = to_wall(schedule.start, tz)
    step = 0
    while True:
        nxt = trigger.get_next_fire_time(None, cursor.replace(tzinfo=UTC) + timedelta(seconds=1))
        if nxt is None:
            return
        wall = nxt.replace(tzinfo=None)
        cursor = wall
        occurrence = (
            _make(step if schedule.steps > 1 else 0, None, wall)
            if schedule.local_time
            else _make(step if schedule.steps > 1 else 0, to_utc(wall, tz), None)
        )
        if occurrence.expand_at <= schedule.start:
            continue
        yield occurrence
        step += 1
        if schedule.steps > 1 and step >= schedule.steps:
            return


def occurrences(
    schedule: Schedule, *, after: datetime | None, until: datetime, limit: int = 10_000
) -> list[Occurrence]:
    """Occurrences whose expansion time is in (`after`, `until`], oldest first."""
    found: list[Occurrence] = []
    for occurrence in _iter_occurrences(schedule):
        moment = occurrence.expand_at
        if moment > until or len(found) >= limit:
            break
        if after is None or moment > after:
            found.append(occurrence)
    return found


def next_expansion(schedule: Schedule, after: datetime | None) -> datetime | None:
    """The first expansion time after `after` (the first ever when None); None when done."""
    for occurrence in _iter_occurrences(schedule):
        if after is None or occurrence.expand_at > after:
            return occurrence.expand_at
    return None


def latest_due(schedule: Schedule, occurrence: Occurrence) -> datetime:
    """An upper bound on any recipient's due time for this occurrence (for missed runs)."""
    if occurrence.instant is not None:
        latest = occurrence.instant
    else:
        assert occurrence.wall is not None
        latest = occurrence.wall.replace(tzinfo=UTC) + LATEST_OFFSET
    if schedule.skip_weekends:
        latest += timedelta(days=3)
    if schedule.quiet is not None:
        latest += schedule.quiet.length
    return max(latest, schedule.start)


def due_at(schedule: Schedule, occurrence: Occurrence, recipient_tz: str | None) -> datetime | None:
    """When this recipient gets this occurrence (UTC), or None when it is skipped for them.

    Weekends and quiet hours are the recipient's own (the campaign's zone when theirs is
    unknown). A recurring occurrence that falls on the recipient's weekend is skipped: the
    next weekday's follows. Anything else that falls on a weekend or in quiet hours waits for
    the next allowed moment, keeping its time of day across a weekend.
    """
    tz = zone(recipient_tz, schedule.timezone) if recipient_tz else zone(schedule.timezone)
    if occurrence.instant is not None:
        instant = max(occurrence.instant, schedule.start)
        local = to_wall(instant, tz)
    else:
        assert occurrence.wall is not None
        instant = to_utc(occurrence.wall, tz)
        if instant < schedule.start:
            # A one-off's wall time already passed here when it was scheduled: send at once.
            instant = schedule.start
        local = to_wall(instant, tz)
    if schedule.recurring and schedule.skip_weekends and local.weekday() >= 5:
        return None
    moved = local
    for _ in range(8):
        if schedule.skip_weekends and moved.weekday() >= 5:
            moved = datetime.combine(
                moved.date() + timedelta(days=7 - moved.weekday()), moved.time()
            )
            continue
        if schedule.quiet is not None and schedule.quiet.contains(moved.time()):
            moved = schedule.quiet.end_after(moved)
            continue
        break
    return instant if moved == local else to_utc(moved, tz)


def plan(
    schedule: Schedule, occurrence: Occurrence, recipient_zones: Mapping[str, str | None]
) -> dict[str, datetime]:
    """Each recipient's due time for an occurrence; skipped recipients are left out."""
    planned = {}
    for recipient, tz_name in recipient_zones.items():
        moment = due_at(schedule, occurrence, tz_name)
        if moment is not None:
            planned[recipient] = moment
    return planned


def due_now(planned: Mapping[str, datetime], now: datetime) -> list[str]:
    """The recipients whose due time has come, earliest first."""
    return [user for user, moment in sorted(planned.items(), key=lambda kv: kv[1]) if moment <= now]
