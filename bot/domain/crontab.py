"""Crontab expressions with standard semantics, for every schedule in the product.

Day-of-week numbers follow crontab: 0 or 7 = Sunday, 1 = Monday … 6 = Saturday, ranges and
steps included (`1-5`, `0-4`, `*/2` = Sunday, Tuesday, Thursday, Saturday). APScheduler 3.x
numbers days from Monday = 0, so the field is translated to day names before it gets there.
"""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

_CRON_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


class CrontabError(ValueError):
    """An expression that is not a valid crontab line; the message says why."""


def cron_day_of_week(field_text: str) -> str:
    """Translate a crontab day-of-week field (0/7 = Sunday) into APScheduler's day names.

    APScheduler 3.x numbers days from Monday = 0, so passing crontab numbers through would
    shift every weekday by one (its `from_crontab` documents this historical mismatch).
    """
    if field_text in ("*", "?"):
        return "*"
    names: list[str] = []
    for part in field_text.lower().split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) < 1:
                raise CrontabError(f"bad day-of-week step in {field_text!r}")
            step = int(step_text)
        if part.isalpha() and step == 1:
            names.append(part)
            continue
        if part == "*":
            low, high = 0, 6
        elif "-" in part:
            low_text, high_text = part.split("-", 1)
            if not (low_text.isdigit() and high_text.isdigit()):
                if step == 1 and low_text.isalpha() and high_text.isalpha():
                    names.append(part)
                    continue
                raise CrontabError(f"bad day-of-week range in {field_text!r}")
            low, high = int(low_text), int(high_text)
        elif part.isdigit():
            low = high = int(part)
        else:
            raise CrontabError(f"bad day-of-week {part!r}")
        if not (0 <= low <= 7 and 0 <= high <= 7 and low <= high):
            raise CrontabError(f"day-of-week out of range in {field_text!r}")
        names.extend(_CRON_DOW_NAMES[number] for number in range(low, high + 1, step))
    return ",".join(dict.fromkeys(names))


def crontab_trigger(expression: str, timezone: str = "UTC") -> CronTrigger:
    """A trigger for a standard five-field crontab expression, in `timezone`."""
    fields = expression.split()
    if len(fields) != 5:
        raise CrontabError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, day_of_week = fields
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=cron_day_of_week(day_of_week),
            timezone=timezone,
        )
    except CrontabError:
        raise
    except (ValueError, TypeError, LookupError) as exc:
        raise CrontabError(f"invalid crontab expression {expression!r}: {exc}") from None
