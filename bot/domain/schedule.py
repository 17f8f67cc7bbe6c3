"""Campaign schedules: when a campaign's occurrences happen, in which time zone, with which
weekend and quiet-hour rules; stored as JSON on the campaign. Nothing here reads a clock or a
database. What a schedule produces (its occurrences, and each recipient's due time) is
bot/domain/occurrences.py.

DST: a wall time that does not exist (the spring-forward gap) moves forward by the gap, one that
happens twice (fall back) means its first occurrence. So "10:00 every day in Europe/Berlin" is
09:00 UTC in winter and 08:00 UTC in summer, and a nudge due at 02:30 on the last Sunday of March
goes out at 03:30 local time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    end: datetime | None = None  # aware UTC: nothing expands after this instant (pilot pulses)
    _trigger: CronTrigger | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ScheduleError(f"unknown schedule kind {self.kind!r}")
        if self.start.tzinfo is None:
            raise ScheduleError("start must be timezone-aware")
        if self.end is not None and self.end.tzinfo is None:
            raise ScheduleError("end must be timezone-aware")
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
    def wall_trigger(self) -> CronTrigger | None:
        """What a recurring schedule fires on, over wall time read as UTC (None for one-offs)."""
        return self._trigger

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
            "end": self.end.astimezone(UTC).isoformat() if self.end else None,
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
            end=datetime.fromisoformat(data["end"]) if data.get("end") else None,
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
        if self.end:
            when += f", until {self.end:%Y-%m-%d}"
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
