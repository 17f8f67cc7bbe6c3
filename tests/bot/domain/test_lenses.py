"""The five lenses: keys, old categories, labels, and who decided a report's lens."""

from __future__ import annotations

import pytest

from bot.domain.capture import CATEGORIES
from bot.domain.lenses import LENSES, best_lens, effective_lens, lens_key, lens_label


def test_the_form_offers_exactly_the_five_lenses() -> None:
    assert list(CATEGORIES) == list(LENSES)
    assert list(LENSES.values()) == [
        "Workflow bottlenecks",
        "Repetitive tasks",
        "Data gaps",
        "Customer pain points",
        "Employee challenges",
    ]


@pytest.mark.parametrize(
    ("stored", "key"),
    [
        ("repetitive_task", "repetitive_task"),
        ("customer_facing", "customer_facing"),
        ("tools_systems", "employee_challenge"),
        ("other", "employee_challenge"),
        ("Data gaps", "data_gap"),
        ("data gap", "data_gap"),
        ("nonsense", None),
        (None, None),
    ],
)
def test_old_and_new_values_map_to_a_lens(stored: str | None, key: str | None) -> None:
    assert lens_key(stored) == key


def test_old_categories_still_display_sensibly() -> None:
    assert lens_label("tools_systems") == "Employee challenges"
    assert lens_label(None) == "Not yet classified"


def test_a_manager_beats_the_reporter_who_beats_the_suggestion() -> None:
    assert effective_lens("data_gap", "repetitive_task", "manager") == (
        "repetitive_task",
        "manager",
    )
    assert effective_lens("data_gap", "repetitive_task", "suggested") == ("data_gap", "reporter")
    assert effective_lens(None, "repetitive_task", "suggested") == ("repetitive_task", "suggested")
    assert effective_lens("other", None, None) == ("employee_challenge", "reporter")
    assert effective_lens(None, None, None) == (None, None)


def test_the_best_lens_has_the_highest_mean_similarity_to_its_descriptions() -> None:
    rows = [[0.9, 0.0, 0.0], [0.6, 0.6, 0.0], [0.1], [0.1], [0.1]]
    assert best_lens(rows) == "repetitive_task"
