"""Impact of a theme: each reporter counted once, with their typical hours and frequency.

Hours are estimated as "distinct reporters × typical hours a week", where a reporter's hours
are the median of what they gave for the theme and the typical hours the median over the
people who gave any. Fewer than k people giving hours would let the number describe one or
two people's answers, so then no estimate is shown, only how many gave them.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

# One-tap answers on receipts and pulses: the stored value is the middle of the range
# ("5+" counts as 6, a cautious reading of an open range).
HOURS_BUCKETS: dict[str, tuple[str, float]] = {
    "0-1": ("0–1 h", 0.5),
    "1-3": ("1–3 h", 2.0),
    "3-5": ("3–5 h", 4.0),
    "5+": ("5+ h", 6.0),
}
PULSE_BUCKETS: dict[str, tuple[str, float]] = {"none": ("None", 0.0), **HOURS_BUCKETS}
FOLLOWUP_FREQUENCIES: dict[str, str] = {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"}


def bucket_of(hours: float | None, *, pulse: bool = False) -> str:
    """The one-tap bucket a number of hours falls into ("" when unknown)."""
    if hours is None:
        return ""
    if pulse and hours <= 0:
        return "none"
    if hours < 1:
        return "0-1"
    if hours < 3:
        return "1-3"
    return "3-5" if hours < 5 else "5+"


@dataclass(frozen=True)
class Impact:
    """A theme's reach and time lost, under the minimum-reporter rule."""

    people: int
    people_with_hours: int
    hours_per_week: float | None  # ≈ people × typical hours; None below k answers
    typical_hours: float | None
    people_with_frequency: int = 0
    frequency: str | None = None  # the most common per-person frequency; None below k
    min_reporters: int = 3

    def label(self) -> str:
        """`≈ 40 h/week (from 5 of 8 people)`, or why there is no estimate yet."""
        if self.hours_per_week is None:
            if self.people_with_hours == 0:
                return f"hours not known yet (0 of {self.people} people gave them)"
            return f"hours not shown: fewer than {self.min_reporters} of {self.people} people gave them"
        return (
            f"≈ {self.hours_per_week:,.0f} h/week "
            f"(from {self.people_with_hours} of {self.people} people)"
        )


def impact_of(
    reports: Iterable[tuple[str, float | None, str | None]], *, min_reporters: int
) -> Impact:
    """The impact of (reporter, hours, frequency) rows of one theme."""
    hours_by_person: dict[str, list[float]] = defaultdict(list)
    frequency_by_person: dict[str, Counter[str]] = defaultdict(Counter)
    people: set[str] = set()
    for reporter, hours, frequency in reports:
        people.add(reporter)
        if hours is not None:
            hours_by_person[reporter].append(float(hours))
        if frequency:
            frequency_by_person[reporter][frequency] += 1
    medians = [statistics.median(values) for values in hours_by_person.values()]
    typical = statistics.median(medians) if len(medians) >= min_reporters else None
    habits = Counter(counts.most_common(1)[0][0] for counts in frequency_by_person.values())
    frequency = habits.most_common(1)[0][0] if len(frequency_by_person) >= min_reporters else None
    return Impact(
        people=len(people),
        people_with_hours=len(medians),
        hours_per_week=None if typical is None else round(typical * len(people), 1),
        typical_hours=typical,
        people_with_frequency=len(frequency_by_person),
        frequency=frequency,
        min_reporters=min_reporters,
    )
