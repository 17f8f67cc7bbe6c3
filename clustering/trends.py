"""Pure helpers for theme activity over time: spikes and period-on-period trends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np


def spike(
    weekly_counts: Sequence[int],
    *,
    min_history: int = 3,
    window: int | None = 8,
    n_std: float = 2.0,
    min_count: int = 1,
) -> bool:
    """True if this week (the last count) is a spike for the theme.

    A spike needs at least ``min_history`` earlier weeks and at least ``min_count``
    reports this week, and this week >= mean + n_std × std of the trailing ``window``
    earlier weeks (all of them if window is None; population std).
    """
    if not weekly_counts:
        return False
    current = weekly_counts[-1]
    history = list(weekly_counts[:-1])
    if window is not None:
        history = history[-window:]
    if len(history) < min_history or current < max(min_count, 1):
        return False
    arr = np.asarray(history, dtype=np.float64)
    return bool(current >= arr.mean() + n_std * arr.std())


@dataclass(frozen=True)
class Trend:
    """Change of a count between the previous period and the current one."""

    current: int
    previous: int
    change: int
    ratio: float | None  # current / previous - 1; None when previous is 0
    direction: Literal["up", "down", "flat", "new"]

    @property
    def label(self) -> str:
        """Short text for a message, e.g. "+40%", "-25%", "no change", "new"."""
        if self.direction == "new":
            return "new"
        if self.ratio is None or self.change == 0:
            return "no change"
        return f"{self.ratio:+.0%}"


def trend(current: int, previous: int) -> Trend:
    """Compare the current period's count with the previous period's."""
    if current < 0 or previous < 0:
        raise ValueError("counts cannot be negative")
    change = current - previous
    if previous == 0:
        direction: Literal["up", "down", "flat", "new"] = "new" if current > 0 else "flat"
        return Trend(current, previous, change, None, direction)
    direction = "up" if change > 0 else "down" if change < 0 else "flat"
    return Trend(current, previous, change, change / previous, direction)
