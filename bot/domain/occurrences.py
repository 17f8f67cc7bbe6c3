"""Who is due when: a schedule's occurrences, and each recipient's due time for one of them.

Pure functions of `now`: nothing here reads a clock or a database. A campaign's schedule
(bot/domain/schedule.py) produces *occurrences* (a run of the campaign: one lesson for a set of
recipients); each occurrence is either one instant for everybody, or a wall-clock time read in
each recipient's own time zone. `due_at` turns an occurrence and a recipient's time zone into
the UTC instant the nudge may go out, applying weekend and quiet-hour rules in the recipient's
local time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import EARLIEST_OFFSET, LATEST_OFFSET, Schedule, to_utc, to_wall, zone


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
    """Every occurrence in order of expansion time, up to the schedule's end if it has one."""
    for occurrence in _unbounded(schedule):
        if schedule.end is not None and occurrence.expand_at > schedule.end:
            return
        yield occurrence


def _unbounded(schedule: Schedule) -> Iterator[Occurrence]:
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
    trigger = schedule.wall_trigger
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
