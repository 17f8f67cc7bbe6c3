"""Charts: a PNG of the top themes over time (matplotlib, no display) and inline SVG sparklines."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.text import shorten
from bot.domain.themes import ThemeSummary


def themes_over_time_png(themes: Sequence[ThemeSummary], now: datetime, top: int = 6) -> bytes:
    """Weekly reports of the top themes over the last weeks, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 4.5), dpi=110)
    try:
        shown = list(themes[:top])
        weeks = len(shown[0].weekly_counts) if shown else 12
        labels = [(now - timedelta(weeks=weeks - 1 - i)).strftime("%d %b") for i in range(weeks)]
        for summary in shown:
            axes.plot(
                range(weeks),
                summary.weekly_counts,
                marker="o",
                linewidth=2,
                label=shorten(summary.title, 40),
            )
        if not shown:
            axes.text(
                0.5,
                0.5,
                "No themes with enough reporters yet",
                ha="center",
                va="center",
                transform=axes.transAxes,
            )
        axes.set_title("Reports per week, top themes")
        axes.set_ylabel("reports")
        axes.grid(alpha=0.3)
        axes.set_xticks(range(weeks), labels)
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
        if shown:
            axes.legend(fontsize=8, loc="upper left", frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def sparkline_svg(counts: Sequence[int], width: int = 160, height: int = 32) -> str:
    """A tiny inline SVG line of weekly counts (no fonts, no network)."""
    if not counts:
        return ""
    peak = max(max(counts), 1)
    step = width / max(len(counts) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (value / peak) * (height - 4):.1f}"
        for i, value in enumerate(counts)
    )
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="weekly reports: {", ".join(map(str, counts))}">'
        f'<polyline fill="none" stroke="#3b6ea5" stroke-width="2" points="{points}"/></svg>'
    )
