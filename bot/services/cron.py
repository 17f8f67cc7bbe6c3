"""Crontab expressions with standard day-of-week numbers (0 or 7 = Sunday).

APScheduler 3.x numbers days from Monday = 0, so "0 9 * * 1" would fire on Tuesdays if passed
to `CronTrigger.from_crontab` as is; this module translates the field to day names first.
"""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _translate_day_of_week(field: str) -> str:
    def name(match: re.Match[str]) -> str:
        number = int(match.group(0))
        if not 0 <= number <= 7:
            raise ValueError(f"day of week {number} is not between 0 and 7")
        return _DAY_NAMES[number]

    parts = []
    for part in field.split(","):
        base, _, step = part.partition("/")
        base = re.sub(r"\d+", name, base)
        parts.append(f"{base}/{step}" if step else base)
    return ",".join(parts)


def crontab_trigger(expression: str, timezone: str = "UTC") -> CronTrigger:
    """A trigger for a standard five-field crontab expression, in `timezone`."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_translate_day_of_week(day_of_week),
        timezone=timezone,
    )
