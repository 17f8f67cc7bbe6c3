"""Plain-text renderings for the terminal: the themes table and a digest."""

from __future__ import annotations

import textwrap

from bot.domain.capture import CATEGORIES
from bot.domain.text import shorten
from bot.domain.themes import STATUSES, InsightReport, trend_label


def themes_table(report: InsightReport, limit: int | None = None) -> str:
    """One line per theme: id, people, reports, hours, trend, status and title."""
    header = f"{'id':>4}  {'people':>6}  {'reports':>7}  {'h/week':>6}  {'trend':<10} {'status':<13} title"
    lines = [header, "-" * len(header)]
    for theme in report.themes[:limit]:
        spike = " 🔥" if theme.spike else ""
        lines.append(
            f"{theme.id:>4}  {theme.reporters:>6}  {theme.size:>7}  {theme.hours_per_week:>6.0f}  "
            f"{trend_label(theme):<10} {STATUSES.get(theme.status, theme.status):<13} {shorten(theme.title, 60)}{spike}"
        )
    if not report.themes:
        lines.append(f"(no theme has {report.min_reporters} or more distinct reporters yet)")
    if report.smaller_signals:
        lines.append(
            f"+ {report.smaller_signals} smaller signals ({report.suppressed_painpoints} reports) below "
            f"{report.min_reporters} reporters, not shown"
        )
    return "\n".join(lines)


def digest_text(report: InsightReport, limit: int = 5) -> str:
    """The top themes as a manager's digest would show them, for a terminal."""
    out = [
        f"Digest — {report.total_painpoints} reports from {report.total_reporters} people, "
        f"{report.total_hours_per_week:,.0f} hours a week"
    ]
    for rank, theme in enumerate(report.themes[:limit], start=1):
        category = CATEGORIES.get(theme.main_category or "", "Uncategorised")
        out.append("")
        out.append(f"{rank}. {theme.title}" + ("  🔥 spike this week" if theme.spike else ""))
        out.append(
            f"   {theme.reporters} people · {theme.size} reports · {trend_label(theme)} · "
            f"{theme.hours_per_week:,.0f} h/week · {category}"
        )
        if theme.keywords:
            out.append(f"   keywords: {', '.join(theme.keywords[:6])}")
        for quote in theme.quotes[:2]:
            wrapped = textwrap.wrap(" ".join(quote.split()), 96)
            out.append(
                "   “" + "\n    ".join(wrapped[:3]) + ("…" if len(wrapped) > 3 else "") + "”"
            )
    return "\n".join(out)
