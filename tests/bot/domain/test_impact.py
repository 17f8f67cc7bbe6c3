"""Impact: each reporter counted once per theme, median of their hours, under the k rule."""

from __future__ import annotations

import pytest

from bot.domain.impact import bucket_of, impact_of


def test_a_reporter_who_reports_often_counts_once_with_their_median() -> None:
    rows = [
        ("ann", 10.0, "daily"),
        ("ann", 10.0, "daily"),
        ("ann", 10.0, "daily"),
        ("ann", 1.0, "daily"),
        ("bob", 2.0, "weekly"),
        ("cy", 2.0, "weekly"),
        ("dee", None, None),
    ]

    impact = impact_of(rows, min_reporters=3)

    # ann's median is 10, bob and cy give 2: the typical person loses 2 h; 4 people.
    assert (impact.people, impact.people_with_hours) == (4, 3)
    assert impact.typical_hours == 2.0
    assert impact.hours_per_week == 8.0
    assert impact.frequency == "weekly"
    assert impact.label() == "≈ 8 h/week (from 3 of 4 people)"


def test_reporting_twice_does_not_double_the_estimate() -> None:
    once = impact_of([(p, 3.0, None) for p in "abc"], min_reporters=3)
    twice = impact_of([(p, 3.0, None) for p in "abc" for _ in range(2)], min_reporters=3)
    assert once.hours_per_week == twice.hours_per_week == 9.0


@pytest.mark.parametrize("givers", [1, 2])
def test_hours_from_fewer_than_k_people_are_not_shown(givers: int) -> None:
    rows = [
        (f"p{i}", 5.0 if i < givers else None, "daily" if i < givers else None) for i in range(6)
    ]

    impact = impact_of(rows, min_reporters=3)

    assert impact.hours_per_week is None and impact.typical_hours is None
    assert impact.frequency is None
    assert impact.people_with_hours == givers
    assert impact.label() == "hours not shown: fewer than 3 of 6 people gave them"


def test_no_hours_at_all_says_so() -> None:
    assert impact_of([("a", None, None)] * 3, min_reporters=3).label() == (
        "hours not known yet (0 of 1 people gave them)"
    )


@pytest.mark.parametrize(
    ("hours", "bucket"),
    [(None, ""), (0.0, "0-1"), (0.5, "0-1"), (2.0, "1-3"), (4.0, "3-5"), (6.0, "5+"), (40.0, "5+")],
)
def test_hours_fall_into_the_one_tap_buckets(hours: float | None, bucket: str) -> None:
    assert bucket_of(hours) == bucket


def test_a_pulse_answer_of_zero_is_none() -> None:
    assert bucket_of(0.0, pulse=True) == "none"
