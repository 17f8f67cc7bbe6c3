"""The audit report's sections as CSV tables, one section per file (`report --section`).

A spreadsheet holds one table per sheet, so each section is its own CSV: the themes (the
default, as before), the ranked priorities, the lenses, participation per team, the pilots'
KPIs and the training effects. Numbers under the minimum-reporter rule are blank, exactly as
in the JSON report, and reporters' words are quoted so no cell runs as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.domain.themes import InsightReport
from bot.reporting.audit import slice_record, training_record

CSV_SECTIONS = ("themes", "priorities", "lenses", "participation", "pilots", "training")
SLICE_FIELDS = ("key", "label", "reports", "people", "hidden", "themes", "hours_per_week")
PRIORITY_FIELDS = (
    "rank",
    "theme_id",
    "title",
    "impact_hours_per_week",
    "people",
    "people_with_hours",
    "typical_hours",
    "frequency",
    "reports",
    "trend",
    "lens",
    "status",
    "pilot",
)
PILOT_FIELDS = (
    "pilot_id",
    "theme_id",
    "theme",
    "status",
    "owner",
    "objective",
    "start",
    "end",
    "verdict",
    "kpi",
    "unit",
    "baseline",
    "current",
    "target",
)
TRAINING_FIELDS = (
    "theme_id",
    "lesson",
    "sent_at",
    "before_per_week",
    "after_per_week",
    "before_weeks",
    "after_weeks",
    "before_note",
    "after_note",
)


def no_formula(text: str) -> str:
    """Quote a cell that a spreadsheet would run as a formula (reporters' words go in here)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_table(fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows as CSV under `fields`; lists joined with "; ", text made formula-safe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        cells = {}
        for key, value in row.items():
            if isinstance(value, list | tuple):
                value = "; ".join(str(item) for item in value)
            cells[key] = no_formula(value) if isinstance(value, str) else value
        writer.writerow(cells)
    return out.getvalue()


def section_csv(report: InsightReport, section: str) -> str:
    """One of the audit sections (not `themes`) as a CSV table."""
    audit = report.audit
    if section == "priorities":
        return write_table(
            PRIORITY_FIELDS, [p.to_dict() for p in audit.priorities] if audit else []
        )
    if section in ("lenses", "participation"):
        slices = (audit.lenses if section == "lenses" else audit.participation) if audit else []
        return write_table(SLICE_FIELDS, [slice_record(row) for row in slices])
    if section == "training":
        return write_table(
            TRAINING_FIELDS, [training_record(t) for t in audit.training] if audit else []
        )
    if section == "pilots":
        rows = [
            {
                "pilot_id": pilot.id,
                "theme_id": pilot.theme_id,
                "theme": pilot.theme_title,
                "status": pilot.status,
                "owner": pilot.owner,
                "objective": pilot.objective,
                "start": pilot.start.isoformat(),
                "end": pilot.end.isoformat(),
                "verdict": pilot.verdict,
                "kpi": kpi.name,
                "unit": kpi.unit,
                "baseline": kpi.baseline,
                "current": kpi.current,
                "target": kpi.target,
            }
            for pilot in (audit.pilots if audit else [])
            for kpi in pilot.kpis
        ]
        return write_table(PILOT_FIELDS, rows)
    raise ValueError(f"unknown section {section!r}; use one of {', '.join(CSV_SECTIONS)}")
