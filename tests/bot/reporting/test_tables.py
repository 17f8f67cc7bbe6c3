"""The audit's sections as CSV tables: formula-safe cells, numbers left alone."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.db.session import SessionFactory
from bot.domain.pilots import PilotDraft, parse_kpi
from bot.reporting.report import render
from bot.reporting.tables import CSV_SECTIONS, write_table
from bot.services.insights import ThemeInsights
from bot.services.pilots import PilotService
from tests.bot.reporting.factories import seed_theme

NOW = datetime(2026, 6, 3, 12, tzinfo=UTC)
EVIL = '=HYPERLINK("https://evil.example","click")'


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cells_cannot_start_a_formula_and_lists_are_joined() -> None:
    text = write_table(
        ("name", "items", "value"), [{"name": "@SUM(A1)", "items": ["+x", "y"], "value": -2.5}]
    )
    [row] = rows(text)
    assert row == {"name": "'@SUM(A1)", "items": "'+x; y", "value": "-2.5"}


def test_section_tables_are_formula_safe(session_factory: SessionFactory) -> None:
    theme = seed_theme(
        session_factory, EVIL, reporters=4, reports_per_reporter=2, now=NOW, hours=3.0
    )
    PilotService(session_factory, min_reporters=3, clock=lambda: NOW).create(
        PilotDraft(
            theme_id=theme.theme_id,
            owner="UOWNER",
            objective="-1 step: " + EVIL,
            kpis=(parse_kpi("reports"), parse_kpi("custom:cycle time:days")),
            start=NOW.date(),
            end=NOW.date() + timedelta(weeks=4),
        ),
        created_by="UMANAGER",
    )
    report = ThemeInsights(session_factory, min_reporters=3, clock=lambda: NOW).report(
        period="all", with_history=True
    )

    [priority] = rows(render(report, "csv", "priorities"))
    pilots = rows(render(report, "csv", "pilots"))

    assert priority["title"] == "'" + EVIL and priority["people"] == "4"
    assert [row["kpi"] for row in pilots] == ["reports", "cycle time"]
    assert all(row["objective"].startswith("'-1 step") for row in pilots)
    assert pilots[0]["start"] == NOW.date().isoformat() and pilots[0]["end"] == str(
        date(2026, 7, 1)
    )
    for section in CSV_SECTIONS:
        text = render(report, "csv", section)
        assert ",=" not in text and "\n=" not in text, section


def test_an_unknown_section_is_refused(session_factory: SessionFactory) -> None:
    report = ThemeInsights(session_factory, min_reporters=3).report(period="all")
    with pytest.raises(ValueError, match="unknown section 'quotes'"):
        render(report, "csv", "quotes")
