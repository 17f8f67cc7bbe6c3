"""The audit report in HTML, Markdown, CSV and JSON, and its charts: complete, self-contained,
and never naming a theme that fewer than k people reported."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from bot.db.session import SessionFactory
from bot.domain.themes import InsightReport, ThemeSummary
from bot.reporting import charts, report
from bot.reporting.charts import sparkline_svg, themes_over_time_png
from bot.reporting.report import FORMATS, LENSES, THEME_FIELDS, lens_of, render
from bot.services.insights import ThemeInsights
from bot.services.theme_status import ThemeStatusService
from tests.bot.reporting.checks import assert_absent
from tests.bot.reporting.factories import insight_report, seed_theme, summary

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SECRET_TITLE = "Complaint about Bob in payroll"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def charted(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The titles each report chart was drawn with (the real chart is still drawn)."""
    seen: list[list[str]] = []

    def spy(themes: Sequence[ThemeSummary], now: datetime, top: int = 6) -> bytes:
        seen.append([t.title for t in themes])
        return charts.themes_over_time_png(themes, now, top)

    monkeypatch.setattr(report, "themes_over_time_png", spy)
    return seen


def audit(session_factory: SessionFactory) -> InsightReport:
    seed_theme(
        session_factory,
        "Expense approvals wait",
        reporters=4,
        reports_per_reporter=2,
        days_ago=[1, 8, 15, 22, 40],
        now=NOW,
        category="workflow_bottleneck",
        team=["Finance", "Sales"],
        hours=3.0,
        keywords=["approval", "expense"],
    )
    vpn = seed_theme(
        session_factory,
        "VPN drops <every> hour & more",
        reporters=3,
        now=NOW,
        category="tools_systems",
        team="IT",
        hours=1.0,
    )
    seed_theme(
        session_factory,
        SECRET_TITLE,
        reporters=["b1", "b2"],
        reports_per_reporter=10,
        now=NOW,
        category="data_gap",
        team="Payroll",
    )
    ThemeStatusService(session_factory, clock=lambda: NOW).set_status(
        theme_id=vpn.theme_id, status="wont_fix", actor="UMANAGER", reason="Vendor replaces it"
    )
    insights = ThemeInsights(session_factory, min_reporters=3, clock=lambda: NOW)
    return insights.report(period="all", with_history=True)


def without_images(document: str) -> str:
    return re.sub(r"base64,[A-Za-z0-9+/=]+", "base64,", document)


# --- the k rule in every format --------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_lists_passing_themes_and_never_a_smaller_one(
    session_factory: SessionFactory, charted: list[list[str]], fmt: str
) -> None:
    document = render(audit(session_factory), fmt)

    text = without_images(document)
    assert "Expense approvals wait" in text
    assert "approval" in text
    assert_absent(text, [SECRET_TITLE, "Bob", "Payroll", "b1", "b2"])
    if fmt == "html":
        assert charted == [["Expense approvals wait", "VPN drops <every> hour & more"]]


def test_html_is_one_self_contained_file(session_factory: SessionFactory) -> None:
    document = render(audit(session_factory), "html")

    assert document.startswith("<!doctype html>")
    assert not re.search(r"https?://", document), "no network references at all"
    assert not re.search(r"(?i)<(script|link|iframe|object|embed)\b", document)
    assert not re.search(r"(?i)url\(|@import", document)
    sources = re.findall(r"""src=['"]([^'"]+)['"]""", document)
    assert sources and all(src.startswith("data:image/png;base64,") for src in sources)
    for src in sources:
        assert base64.b64decode(src.removeprefix("data:image/png;base64,")).startswith(PNG)
    assert document.count('<svg class="spark"') == 2
    assert "@media print" in document


def test_html_escapes_data_and_is_well_formed(session_factory: SessionFactory) -> None:
    document = render(audit(session_factory), "html")

    assert "VPN drops &lt;every&gt; hour &amp; more" in document
    assert "<every>" not in document

    class Checker(HTMLParser):
        VOID = frozenset({"meta", "img", "br", "polyline", "hr", "input"})

        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []
            self.ids: list[str] = []
            self.anchors: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            if values.get("id"):
                self.ids.append(str(values["id"]))
            if str(values.get("href", "")).startswith("#"):
                self.anchors.append(str(values["href"])[1:])
            if tag not in self.VOID:
                self.stack.append(tag)

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            return

        def handle_endtag(self, tag: str) -> None:
            assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
            self.stack.pop()

    checker = Checker()
    checker.feed(document)
    checker.close()
    assert checker.stack == []
    assert checker.anchors and set(checker.anchors) <= set(checker.ids)


def test_html_has_every_section_of_the_audit(session_factory: SessionFactory) -> None:
    document = render(audit(session_factory), "html")

    for heading in ("Summary", "Themes", "By audit lens", "Method and privacy"):
        assert f"<h2>{heading}</h2>" in document
    for lens in LENSES:
        assert lens in document
    for expected in (
        "Keywords: approval, expense",
        "Won&#x27;t fix by UMANAGER — Vendor replaces it",
        "Held back: 1 smaller signals (20 reports)",
        "all-MiniLM-L6-v2",
        "fewer than 3 distinct reporters are not shown",
        "Finance",
        "IT",
    ):
        assert expected in document, expected
    assert "<b>31</b>pain points" in document
    assert "<b>9</b>distinct reporters" in document


def test_json_holds_the_summary_themes_lenses_and_method(session_factory: SessionFactory) -> None:
    document = json.loads(render(audit(session_factory), "json"))

    assert document["summary"] == {
        "painpoints": 31,
        "reporters": 9,
        # 4 people × 3 h + 3 people × 1 h: each person once per theme, however often they report.
        "hours_per_week": 15.0,
        "themes": 2,
        "smaller_signals": 1,
        "suppressed_painpoints": 20,
        "unassigned_painpoints": 0,
        "min_reporters": 3,
    }
    titles = [t["title"] for t in document["themes"]]
    assert titles == ["Expense approvals wait", "VPN drops <every> hour & more"]
    vpn = document["themes"][1]
    assert vpn["status"] == "wont_fix" and vpn["status_reason"] == "Vendor replaces it"
    assert vpn["history"][0]["by"] == "UMANAGER"
    # Twenty data-gap reports from two people: a slice below k, so no numbers are shown.
    assert document["lenses"]["Data gaps"] == {
        "reports": None,
        "people": None,
        "themes": [],
        "hours_per_week": 0,
    }
    assert document["lenses"]["Workflow bottlenecks"]["reports"] == 8
    assert document["lenses"]["Employee challenges"]["people"] == 3
    assert document["method"]["suppressed"] == {"themes": 1, "painpoints": 20}


def test_csv_is_the_themes_table(session_factory: SessionFactory) -> None:
    rows = list(csv.DictReader(io.StringIO(render(audit(session_factory), "csv"))))

    assert list(rows[0]) == list(THEME_FIELDS)
    assert [r["title"] for r in rows] == ["Expense approvals wait", "VPN drops <every> hour & more"]
    assert rows[0]["reporters"] == "4" and rows[0]["size"] == "8"
    assert rows[0]["keywords"] == "approval | expense"
    assert rows[0]["teams"] == "Finance: 4; Sales: 4"


def test_markdown_has_a_themes_table_and_details(session_factory: SessionFactory) -> None:
    document = render(audit(session_factory), "md")

    assert "| # | theme | people | reports | h/week | trend | status |" in document
    assert "### Expense approvals wait" in document
    assert "Won't fix by UMANAGER — Vendor replaces it" in document
    assert "1 smaller signals not shown" in document


def test_a_pipe_in_a_title_does_not_break_the_markdown_table() -> None:
    document = render(insight_report([summary(1, title="A | B")]), "md")
    [row] = [line for line in document.splitlines() if line.startswith("| 1 |")]
    assert row.count(" | ") == 6


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_report_renders(fmt: str) -> None:
    document = render(insight_report([], total=0), fmt)
    assert document
    if fmt == "html":
        assert "No theme has enough distinct reporters yet." in document


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        render(insight_report([]), "pdf")


@pytest.mark.parametrize(
    ("category", "lens"),
    [
        ("workflow_bottleneck", "Workflow bottlenecks"),
        ("repetitive_task", "Repetitive tasks"),
        ("data_gap", "Data gaps"),
        ("customer_facing", "Customer pain points"),
        ("employee_challenge", "Employee challenges"),
        ("tools_systems", "Employee challenges"),
        ("other", "Employee challenges"),
        (None, "Not yet classified"),
    ],
)
def test_every_category_falls_under_one_audit_lens(category: str | None, lens: str) -> None:
    assert lens_of(summary(1, category=category)) == lens


# --- charts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 10])
def test_the_chart_is_a_png_for_any_number_of_themes(count: int) -> None:
    themes = [summary(i, title="T" * 500) for i in range(1, count + 1)]
    image = themes_over_time_png(themes, NOW)
    assert image.startswith(PNG)
    assert len(image) > 5000


def test_sparklines_are_inline_svg() -> None:
    svg = sparkline_svg([0, 2, 5, 1])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "http" not in svg
    assert 'aria-label="weekly reports: 0, 2, 5, 1"' in svg
    assert sparkline_svg([]) == ""
    assert "nan" not in sparkline_svg([0, 0, 0])


def test_csv_cells_cannot_start_a_spreadsheet_formula() -> None:
    theme = summary(
        1,
        title='=HYPERLINK("https://evil.example","click")',
        quotes=["+1 this breaks", "@SUM(A1)"],
        keywords=["-cmd", "ok"],
    )
    theme = replace(theme, current_count=1, previous_count=2)

    [row] = list(csv.DictReader(io.StringIO(render(insight_report([theme]), "csv"))))

    assert row["title"] == "'" + theme.title
    assert row["quotes"].startswith("'+1 this breaks")
    assert row["keywords"] == "'-cmd | ok"
    assert row["trend"] == "-0.5", "numbers are left alone"
