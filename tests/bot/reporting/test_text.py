"""Terminal renderings (tables that fit the width, why no theme is shown) and the Markdown
helpers for people's words (separate block quotes, HTML escaped)."""

from __future__ import annotations

import pytest

from bot.reporting.report import render
from bot.reporting.text import Column, digest_text, fit_table, md_quotes, md_text, themes_table
from tests.bot.reporting.factories import insight_report, summary

QUOTES = [
    "Approvals wait for days <script>alert('x')</script>",
    "Second quote & more",
    "Third | with a pipe",
]


def test_each_quote_is_its_own_block_quote_and_html_is_escaped() -> None:
    assert md_quotes(QUOTES) == [
        "> Approvals wait for days &lt;script&gt;alert('x')&lt;/script&gt;",
        "",
        "> Second quote &amp; more",
        "",
        "> Third \\| with a pipe",
    ]
    assert md_text("two\n\nlines") == "two lines"


def test_the_markdown_report_keeps_quotes_apart_and_escapes_them() -> None:
    document = render(insight_report([summary(1, title="VPN <b>drops</b>", quotes=QUOTES)]), "md")

    assert "<script>" not in document and "<b>" not in document
    assert "### VPN &lt;b&gt;drops&lt;/b&gt;" in document
    lines = document.splitlines()
    quoted = [i for i, line in enumerate(lines) if line.startswith("> ")]
    assert len(quoted) == 3
    for line in quoted[:-1]:
        assert lines[line + 1] == "", "a blank line keeps the block quotes apart"


@pytest.mark.parametrize("width", [60, 80, 100, 133])
def test_tables_fit_the_width(width: int) -> None:
    columns = [Column("id", ">"), Column("people", ">"), Column("title", flex=1)]
    rows = [[str(n), "12", "A very long theme title " * 8] for n in range(5)]

    lines = fit_table(columns, rows, width)

    assert max(len(line) for line in lines) <= width
    assert lines[2].rstrip().endswith("…")


def test_short_cells_are_not_padded_out_to_the_width() -> None:
    lines = fit_table([Column("id"), Column("title", flex=1)], [["1", "short"]], 120)
    assert lines[2] == "1   short"


def test_the_themes_table_fits_and_says_why_it_is_empty() -> None:
    themes = [summary(n, title="Expense approvals wait for three signatures " * 3) for n in (1, 2)]
    table = themes_table(insight_report(themes), width=72)
    assert max(len(line) for line in table.splitlines()) <= 72

    assert "no reports yet" in themes_table(insight_report([]), clustered=False)
    waiting = insight_report([], total=12)
    assert "not clustered yet: 12 reports wait" in themes_table(waiting, clustered=False)
    assert "no theme has 3 or more distinct reporters yet" in themes_table(waiting, clustered=True)


def test_the_terminal_digest_counts_one_offs_and_never_quotes_them() -> None:
    report = insight_report([summary(1)], unassigned=26)

    text = digest_text(report, width=60)

    assert "26 reports fit no theme yet (one-offs)" in " ".join(text.split())
    assert "one-offs" not in digest_text(insight_report([summary(1)]), width=60)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_audit_report_calls_one_offs_what_the_digests_call_them(fmt: str) -> None:
    document = render(insight_report([summary(1)], unassigned=26), fmt)

    assert "26 reports fit no theme yet (one-offs); they are counted, not shown." in document
    assert "in any theme" not in document
    assert "one-offs" not in render(insight_report([summary(1)]), fmt)
