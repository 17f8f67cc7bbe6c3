"""Plain-text renderings for the terminal (tables that fit its width, a digest) and the
Markdown helpers the audit report uses for people's words."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.capture import CATEGORIES
from bot.domain.text import shorten
from bot.domain.themes import STATUSES, InsightReport, one_offs_sentence, trend_label

DEFAULT_WIDTH = 100
MIN_FLEX = 12


@dataclass(frozen=True)
class Column:
    """One column of a terminal table; `flex` columns share what the fixed ones leave."""

    title: str
    align: str = "<"
    flex: int = 0  # 0: as wide as its widest cell; >0: its share of the remaining width


def fit_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """Lines of a table no wider than `width`: fixed columns keep their size, flexible ones
    are cut (with an ellipsis) to share the rest."""
    natural = [max([len(c.title), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    widths = _share(columns, natural, width - 2 * (len(columns) - 1))

    def line(cells: Sequence[str]) -> str:
        parts = []
        for cell, w, c in zip(cells, widths, columns, strict=True):
            text = shorten(" ".join(cell.split()), w)
            parts.append(text.rjust(w) if c.align == ">" else text.ljust(w))
        return "  ".join(parts).rstrip()

    header = line([c.title for c in columns])
    return [header, "-" * min(len(header), width), *(line(r) for r in rows)]


def _share(columns: Sequence[Column], natural: list[int], room: int) -> list[int]:
    """Fixed columns keep their width; flexible ones share the rest by their weights, and a
    column narrower than its share gives the difference to the others."""
    widths = list(natural)
    pool = [i for i, c in enumerate(columns) if c.flex]
    room -= sum(w for i, w in enumerate(natural) if not columns[i].flex)
    while pool:
        weights = sum(columns[i].flex for i in pool)
        fits = [i for i in pool if natural[i] <= room * columns[i].flex // weights]
        if not fits:
            for i in pool:
                widths[i] = max(MIN_FLEX, room * columns[i].flex // weights)
            break
        for i in fits:
            room -= natural[i]
            pool.remove(i)
    return widths


def themes_table(
    report: InsightReport,
    limit: int | None = None,
    *,
    width: int = DEFAULT_WIDTH,
    clustered: bool = True,
) -> str:
    """One line per theme: id, people, reports, hours, trend, status and title.

    `clustered=False` (no re-clustering has run yet) tells "not clustered yet" apart from
    "no theme above the minimum".
    """
    columns = [
        Column("id", ">"),
        Column("people", ">"),
        Column("reports", ">"),
        Column("h/week", ">"),
        Column("trend"),
        Column("status"),
        Column("title", flex=1),
    ]
    rows = [
        [
            str(t.id),
            str(t.reporters),
            str(t.size),
            f"{t.hours_per_week:.0f}",
            trend_label(t),
            STATUSES.get(t.status, t.status),
            t.title + (" (spike)" if t.spike else ""),
        ]
        for t in report.themes[:limit]
    ]
    lines = fit_table(columns, rows, width)
    if not report.themes:
        lines.append(_why_no_themes(report, clustered=clustered))
    if report.smaller_signals:
        lines.append(
            f"+ {report.smaller_signals} smaller signals ({report.suppressed_painpoints} reports) "
            f"below {report.min_reporters} reporters, not shown"
        )
    return "\n".join(textwrap.fill(x, width) if x.startswith(("(", "+")) else x for x in lines)


def _why_no_themes(report: InsightReport, *, clustered: bool) -> str:
    if report.total_painpoints == 0:
        return "(no reports yet: import a survey with `painpoint import`, or wait for Slack)"
    if not clustered:
        return (
            f"(not clustered yet: {report.total_painpoints} reports wait for the first "
            "re-clustering; run `painpoint themes --recluster` or wait for the nightly run)"
        )
    return f"(no theme has {report.min_reporters} or more distinct reporters yet)"


def digest_text(report: InsightReport, limit: int = 5, *, width: int = DEFAULT_WIDTH) -> str:
    """The top themes as a manager's digest would show them, for a terminal."""
    out = textwrap.wrap(
        f"Digest — {report.total_painpoints} reports from {report.total_reporters} people, "
        f"{report.total_hours_per_week:,.0f} hours a week",
        width,
    )
    for rank, theme in enumerate(report.themes[:limit], start=1):
        category = CATEGORIES.get(theme.main_category or "", "Uncategorised")
        out.append("")
        out += textwrap.wrap(
            f"{rank}. {theme.title}" + ("  (spike this week)" if theme.spike else ""),
            width,
            subsequent_indent="   ",
        )
        out += textwrap.wrap(
            f"{theme.reporters} people · {theme.size} reports · {trend_label(theme)} · "
            f"{theme.hours_per_week:,.0f} h/week · {category}",
            width,
            initial_indent="   ",
            subsequent_indent="   ",
        )
        if theme.keywords:
            out += textwrap.wrap(
                f"keywords: {', '.join(theme.keywords[:6])}",
                width,
                initial_indent="   ",
                subsequent_indent="   ",
            )
        for quote in theme.quotes[:2]:
            wrapped = textwrap.wrap(" ".join(quote.split()), max(width - 5, 20))
            out.append(
                "   “" + "\n    ".join(wrapped[:3]) + ("…" if len(wrapped) > 3 else "") + "”"
            )
    if one_offs := one_offs_sentence(report.unassigned_painpoints):
        out += ["", *textwrap.wrap(one_offs, width)]
    return "\n".join(out)


def md_text(text: str) -> str:
    """People's words for Markdown: one line, HTML escaped (no raw tags reach a renderer),
    table pipes escaped."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def md_quotes(quotes: Sequence[str]) -> list[str]:
    """Each quote its own block quote: a blank line between them keeps renderers from
    joining them into one paragraph."""
    lines: list[str] = []
    for quote in quotes:
        if lines:
            lines.append("")
        lines.append(f"> {md_text(quote)}")
    return lines
