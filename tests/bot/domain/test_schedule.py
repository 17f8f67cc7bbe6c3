"""Who is due when: pure functions of a frozen `now`, across zones, DST, weekends, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain.crontab import cron_day_of_week
from bot.domain.occurrences import due_at, due_now, latest_due, next_expansion, occurrences, plan
from bot.domain.schedule import QuietHours, Schedule, ScheduleError, to_utc, zone


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def daily(start: datetime, at: time = time(10), **kwargs: object) -> Schedule:
    return Schedule(kind="daily", start=start, time_of_day=at, **kwargs)  # type: ignore[arg-type]


# -- DST -----------------------------------------------------------------------------------


def test_daily_in_berlin_keeps_10_local_across_spring_forward() -> None:
    # Europe/Berlin moves to summer time on Sunday 29 March 2026.
    schedule = daily(utc(2026, 3, 26, 12), timezone="Europe/Berlin")
    found = occurrences(schedule, after=None, until=utc(2026, 3, 31, 12))
    assert [o.instant for o in found] == [
        utc(2026, 3, 27, 9),  # CET, UTC+1
        utc(2026, 3, 28, 9),
        utc(2026, 3, 29, 8),  # CEST, UTC+2, from the day of the change
        utc(2026, 3, 30, 8),
        utc(2026, 3, 31, 8),
    ]


def test_daily_in_berlin_keeps_10_local_across_fall_back() -> None:
    # ...and back to winter time on Sunday 25 October 2026.
    schedule = daily(utc(2026, 10, 23, 12), timezone="Europe/Berlin")
    found = occurrences(schedule, after=None, until=utc(2026, 10, 27, 0))
    assert [o.instant for o in found] == [
        utc(2026, 10, 24, 8),
        utc(2026, 10, 25, 9),
        utc(2026, 10, 26, 9),
    ]


def test_new_york_changes_on_its_own_dates() -> None:
    # America/New_York: second Sunday of March (8 March 2026), first of November (1 Nov).
    spring = daily(utc(2026, 3, 6, 18), timezone="America/New_York")
    assert [o.instant for o in occurrences(spring, after=None, until=utc(2026, 3, 10))] == [
        utc(2026, 3, 7, 15),  # EST, UTC-5
        utc(2026, 3, 8, 14),  # EDT, UTC-4
        utc(2026, 3, 9, 14),
    ]
    autumn = daily(utc(2026, 10, 30, 18), timezone="America/New_York")
    assert [o.instant for o in occurrences(autumn, after=None, until=utc(2026, 11, 3))] == [
        utc(2026, 10, 31, 14),
        utc(2026, 11, 1, 15),
        utc(2026, 11, 2, 15),
    ]


def test_between_the_two_changes_berlin_and_new_york_are_five_not_six_hours_apart() -> None:
    # 9–28 March 2026: New York is already on summer time, Berlin not yet.
    schedule = daily(utc(2026, 3, 9), local_time=True)
    occurrence = occurrences(schedule, after=None, until=utc(2026, 3, 11))[0]
    assert occurrence.wall == datetime(2026, 3, 10, 10)
    berlin = due_at(schedule, occurrence, "Europe/Berlin")
    new_york = due_at(schedule, occurrence, "America/New_York")
    assert berlin == utc(2026, 3, 10, 9)
    assert new_york == utc(2026, 3, 10, 14)
    assert new_york - berlin == timedelta(hours=5)


def test_a_wall_time_in_the_spring_gap_moves_forward_and_an_ambiguous_one_takes_the_first() -> None:
    berlin = zone("Europe/Berlin")
    # 02:30 does not exist on 29 March 2026: it is sent at 03:30 CEST (01:30 UTC).
    assert to_utc(datetime(2026, 3, 29, 2, 30), berlin) == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 25 October 2026: the first (CEST) is meant.
    assert to_utc(datetime(2026, 10, 25, 2, 30), berlin) == utc(2026, 10, 25, 0, 30)


def test_a_local_time_nudge_at_0230_on_the_changeover_night() -> None:
    schedule = daily(utc(2026, 3, 27), at=time(2, 30), local_time=True)
    occurrence = next(
        o
        for o in occurrences(schedule, after=None, until=utc(2026, 3, 30))
        if o.wall == datetime(2026, 3, 29, 2, 30)
    )
    assert due_at(schedule, occurrence, "Europe/Berlin") == utc(2026, 3, 29, 1, 30)
    assert due_at(schedule, occurrence, "Europe/London") == utc(2026, 3, 29, 1, 30)  # BST gap too
    assert due_at(schedule, occurrence, "America/New_York") == utc(2026, 3, 29, 6, 30)


# -- each recipient's own time zone ----------------------------------------------------------


def test_local_time_means_the_same_wall_clock_everywhere() -> None:
    schedule = daily(utc(2026, 6, 1), local_time=True)
    occurrence = occurrences(schedule, after=None, until=utc(2026, 6, 3))[0]
    planned = plan(
        schedule,
        occurrence,
        {"UTOKYO": "Asia/Tokyo", "UBERLIN": "Europe/Berlin", "USF": "America/Los_Angeles"},
    )
    assert planned == {
        "UTOKYO": utc(2026, 6, 2, 1),
        "UBERLIN": utc(2026, 6, 2, 8),
        "USF": utc(2026, 6, 2, 17),
    }
    # Expanded before anyone's 10:00 arrives: when it is 10:00 in UTC+14.
    assert occurrence.expand_at == utc(2026, 6, 1, 20)
    assert due_now(planned, utc(2026, 6, 2, 9)) == ["UTOKYO", "UBERLIN"]
    assert due_now(planned, utc(2026, 6, 2, 0)) == []


def test_unknown_or_missing_zones_fall_back_to_the_campaign_zone() -> None:
    schedule = daily(utc(2026, 6, 1), local_time=True, timezone="Europe/Paris")
    occurrence = occurrences(schedule, after=None, until=utc(2026, 6, 3))[0]
    assert due_at(schedule, occurrence, None) == utc(2026, 6, 2, 8)
    assert due_at(schedule, occurrence, "Mars/Olympus_Mons") == utc(2026, 6, 2, 8)


def test_a_recurring_local_schedule_starts_where_it_has_not_begun_anywhere() -> None:
    # Created at 12:00 UTC on Monday 1 June: 10:00 Monday has passed in Asia, so the first
    # occurrence is Tuesday's, for everybody.
    schedule = daily(utc(2026, 6, 1, 12), local_time=True)
    first = occurrences(schedule, after=None, until=utc(2026, 6, 5))[0]
    assert first.wall == datetime(2026, 6, 2, 10)


def test_a_one_off_local_time_that_already_passed_somewhere_goes_out_at_once_there() -> None:
    start = utc(2026, 6, 1, 6)  # 15:00 in Tokyo, 08:00 in Berlin
    schedule = Schedule(kind="once", start=start, at=datetime(2026, 6, 1, 10), local_time=True)
    (occurrence,) = occurrences(schedule, after=None, until=utc(2026, 6, 3))
    assert due_at(schedule, occurrence, "Asia/Tokyo") == start
    assert due_at(schedule, occurrence, "Europe/Berlin") == utc(2026, 6, 1, 8)


# -- weekends and quiet hours ------------------------------------------------------------------


def test_skip_weekends_drops_recurring_weekend_occurrences_in_the_recipients_zone() -> None:
    # Friday 5 June 2026 22:00 UTC is already Saturday in Tokyo.
    schedule = Schedule(
        kind="daily", start=utc(2026, 6, 1), time_of_day=time(22), skip_weekends=True
    )
    friday = next(
        o
        for o in occurrences(schedule, after=None, until=utc(2026, 6, 8))
        if o.instant == utc(2026, 6, 5, 22)
    )
    assert due_at(schedule, friday, "Europe/London") == utc(2026, 6, 5, 22)
    assert due_at(schedule, friday, "Asia/Tokyo") is None
    weekdays = [
        o.instant
        for o in occurrences(schedule, after=None, until=utc(2026, 6, 8))
        if due_at(schedule, o, "UTC") is not None
    ]
    assert [d.weekday() for d in weekdays] == [0, 1, 2, 3, 4]


def test_a_one_off_on_a_weekend_waits_for_monday_at_the_same_time() -> None:
    saturday = utc(2026, 6, 6, 10)
    schedule = Schedule(kind="once", start=utc(2026, 6, 1), at=saturday, skip_weekends=True)
    (occurrence,) = occurrences(schedule, after=None, until=utc(2026, 6, 7))
    assert due_at(schedule, occurrence, "UTC") == utc(2026, 6, 8, 10)
    # Berlin: Saturday 12:00 local → Monday 12:00 local.
    assert due_at(schedule, occurrence, "Europe/Berlin") == utc(2026, 6, 8, 10)


def test_quiet_hours_defer_to_their_end_in_local_time() -> None:
    quiet = QuietHours(time(20), time(8))
    schedule = Schedule(kind="once", start=utc(2026, 6, 1), at=utc(2026, 6, 2, 21), quiet=quiet)
    (occurrence,) = occurrences(schedule, after=None, until=utc(2026, 6, 3))
    # 21:00 UTC: quiet in London (22:00 BST) → 08:00 BST next day; fine in New York (17:00).
    assert due_at(schedule, occurrence, "Europe/London") == utc(2026, 6, 3, 7)
    assert due_at(schedule, occurrence, "America/New_York") == utc(2026, 6, 2, 21)


def test_quiet_hours_then_a_weekend_push_to_monday_morning() -> None:
    quiet = QuietHours(time(22), time(7))
    # Friday 23:00 UTC → quiet until Saturday 07:00 → weekend → Monday 07:00.
    schedule = Schedule(
        kind="daily",
        start=utc(2026, 6, 1),
        time_of_day=time(23),
        quiet=quiet,
        skip_weekends=True,
    )
    friday = next(
        o
        for o in occurrences(schedule, after=None, until=utc(2026, 6, 8))
        if o.instant == utc(2026, 6, 5, 23)
    )
    assert due_at(schedule, friday, "UTC") == utc(2026, 6, 8, 7)


def test_quiet_hours_windows() -> None:
    overnight = QuietHours(time(20), time(8))
    assert overnight.contains(time(23)) and overnight.contains(time(7, 59))
    assert not overnight.contains(time(8)) and not overnight.contains(time(19, 59))
    daytime = QuietHours(time(12), time(13))
    assert daytime.contains(time(12, 30)) and not daytime.contains(time(13))
    assert overnight.length == timedelta(hours=12)
    with pytest.raises(ScheduleError):
        QuietHours(time(9), time(9))


# -- recurrence, tracks, catch-up ------------------------------------------------------------


def test_weekly_on_chosen_days() -> None:
    schedule = Schedule(
        kind="weekly", start=utc(2026, 6, 1), time_of_day=time(9, 30), weekdays=(1, 3)
    )
    found = occurrences(schedule, after=None, until=utc(2026, 6, 15))
    assert [o.instant for o in found] == [
        utc(2026, 6, 2, 9, 30),
        utc(2026, 6, 4, 9, 30),
        utc(2026, 6, 9, 9, 30),
        utc(2026, 6, 11, 9, 30),
    ]


def test_crontab_weekdays_use_crontab_numbering() -> None:
    # "0 10 * * 2" is Tuesday in crontab (APScheduler 3 alone would read Wednesday).
    schedule = Schedule(kind="cron", start=utc(2026, 6, 1), cron="0 10 * * 2")
    first = occurrences(schedule, after=None, until=utc(2026, 6, 10))[0]
    assert first.instant == utc(2026, 6, 2, 10)
    assert first.instant.weekday() == 1
    assert cron_day_of_week("1-5") == "mon,tue,wed,thu,fri"
    assert cron_day_of_week("0,7") == "sun"
    assert cron_day_of_week("mon-fri") == "mon-fri"
    with pytest.raises(ScheduleError):
        Schedule(kind="cron", start=utc(2026, 6, 1), cron="0 10 * *")


def test_a_one_off_track_spaces_lessons_by_days_at_the_same_local_time() -> None:
    # Starts Friday 27 March 2026, 10:00 Berlin (CET); the third lesson falls after the change.
    start = datetime(2026, 3, 27, 10, tzinfo=zone("Europe/Berlin"))
    schedule = Schedule(
        kind="once",
        start=utc(2026, 3, 26),
        at=start,
        timezone="Europe/Berlin",
        steps=3,
        spacing_days=2,
    )
    found = occurrences(schedule, after=None, until=utc(2026, 4, 30))
    assert [(o.step, o.instant) for o in found] == [
        (0, utc(2026, 3, 27, 9)),
        (1, utc(2026, 3, 29, 8)),
        (2, utc(2026, 3, 31, 8)),
    ]
    assert next_expansion(schedule, found[-1].expand_at) is None


def test_a_recurring_track_sends_one_lesson_per_occurrence_and_ends() -> None:
    schedule = daily(utc(2026, 6, 1), steps=3)
    found = occurrences(schedule, after=None, until=utc(2026, 7, 1))
    assert [o.step for o in found] == [0, 1, 2]
    assert len({o.key for o in found}) == 3


def test_catch_up_lists_only_occurrences_after_the_watermark() -> None:
    schedule = daily(utc(2026, 6, 1))
    first_two = occurrences(schedule, after=None, until=utc(2026, 6, 3, 12))
    later = occurrences(schedule, after=first_two[-1].expand_at, until=utc(2026, 6, 5, 12))
    assert [o.instant for o in later] == [utc(2026, 6, 4, 10), utc(2026, 6, 5, 10)]
    assert next_expansion(schedule, utc(2026, 6, 5, 12)) == utc(2026, 6, 6, 10)


def test_latest_due_bounds_every_recipient() -> None:
    schedule = daily(utc(2026, 6, 1), local_time=True, skip_weekends=True)
    occurrence = occurrences(schedule, after=None, until=utc(2026, 6, 3))[0]
    bound = latest_due(schedule, occurrence)
    for name in ("Pacific/Kiritimati", "Etc/GMT+12", "America/Los_Angeles", "Asia/Tokyo"):
        moment = due_at(schedule, occurrence, name)
        assert moment is None or moment <= bound


def test_schedules_round_trip_through_json() -> None:
    schedule = Schedule(
        kind="weekly",
        start=utc(2026, 6, 1, 7, 15),
        timezone="Europe/Berlin",
        local_time=True,
        time_of_day=time(9),
        weekdays=(0, 2),
        skip_weekends=True,
        quiet=QuietHours(time(19), time(8)),
        steps=4,
    )
    assert Schedule.from_dict(schedule.to_dict()) == schedule
    assert "weekly on Mon, Wed at 09:00" in schedule.describe()
