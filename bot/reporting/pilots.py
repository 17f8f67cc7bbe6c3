"""Pilots for the terminal: the list as a table, and one pilot with its KPIs and weekly chart."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.kpis import sparkline
from bot.domain.pilots import VERDICTS, PilotView
from bot.domain.text import shorten
from bot.reporting.audit import kpi_value


def pilots_table(pilots: Sequence[PilotView]) -> str:
    """One line per pilot: id, status, dates, owner, theme."""
    header = f"{'id':>4}  {'status':<8} {'start':<10} {'end':<10} {'owner':<12} theme"
    lines = [header, "-" * len(header)]
    for p in pilots:
        verdict = f" [{p.verdict}]" if p.verdict else ""
        lines.append(
            f"{p.id:>4}  {p.status:<8} {p.start.isoformat():<10} {p.end.isoformat():<10} "
            f"{p.owner:<12} {shorten(p.theme_title, 60)}{verdict}"
        )
    if not pilots:
        lines.append("(no pilots yet)")
    return "\n".join(lines)


def pilot_text(pilot: PilotView) -> str:
    """Everything about one pilot, KPI by KPI."""
    lines = [
        f"Pilot #{pilot.id}: {pilot.theme_title} (theme #{pilot.theme_id})",
        f"status {pilot.status} · owner {pilot.owner} · {pilot.start} → {pilot.end}",
        f"objective: {pilot.objective}",
        f"pulses: {pilot.pulse} ({pilot.pulses_sent} sent)",
    ]
    if pilot.verdict:
        lines.append(
            f"verdict: {VERDICTS.get(pilot.verdict, pilot.verdict)}"
            + (f" — {pilot.note}" if pilot.note else "")
        )
    lines.append("")
    lines.append(f"{'KPI':<28} {'baseline':>22} {'current':>22} {'target':>8}  weekly")
    for kpi in pilot.kpis:
        lines.append(
            f"{shorten(f'{kpi.name} ({kpi.unit})', 28):<28} "
            f"{shorten(kpi_value(kpi.baseline, kpi.baseline_note), 22):>22} "
            f"{shorten(kpi_value(kpi.current, kpi.current_note), 22):>22} "
            f"{kpi_value(kpi.target, None):>8}  {sparkline(kpi.series)}"
        )
    return "\n".join(lines)
