"""The prioritised audit's sections in JSON, Markdown and HTML (over `InsightReport.audit`).

Every number here was already put under the minimum-reporter rule by the services: a hidden
value arrives as None and is written as "fewer than k".
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from bot.domain.audit import AuditSections, Priority, Slice, TrainingEffect
from bot.domain.kpis import BASELINE_WEEKS, sparkline
from bot.domain.lenses import lens_label
from bot.domain.pilots import VERDICTS, KpiView, PilotView, WeekPoint
from bot.domain.themes import STATUSES, InsightReport, trend_label

SHORTLIST = 5


def number(value: float | None, k: int, unit: str = "") -> str:
    """A shown number, or the words that stand for a hidden one."""
    if value is None:
        return f"fewer than {k}"
    text = f"{value:,.1f}".removesuffix(".0")
    return f"{text} {unit}".strip()


def kpi_value(value: float | None, note: str | None) -> str:
    """A KPI number, or its note (hidden below k, not measured yet…)."""
    if value is None:
        return note or "—"
    return f"{value:,.1f}".removesuffix(".0")


def leader_summary(report: InsightReport) -> list[str]:
    """A few sentences a leader can read in a minute."""
    audit = report.audit
    lines = [
        f"{report.total_reporters:,} people reported {report.total_painpoints:,} pain points; "
        f"{len(report.themes)} recurring problems are each shared by at least "
        f"{report.min_reporters} people."
    ]
    if audit is None:
        return lines
    top = [p for p in audit.priorities[:3] if p.impact.hours_per_week is not None]
    if top:
        total = sum(p.impact.hours_per_week or 0.0 for p in top)
        names = "; ".join(f"{p.theme.title} (≈ {p.impact.hours_per_week:,.0f} h)" for p in top)
        lines.append(f"The top {len(top)} cost about {total:,.0f} hours a week: {names}.")
    running = [p for p in audit.pilots if p.status != "closed"]
    closed = [p for p in audit.pilots if p.status == "closed"]
    if running or closed:
        verdicts = ", ".join(
            f"{VERDICTS.get(p.verdict or '', p.verdict)} ({p.theme_title})" for p in closed[:3]
        )
        lines.append(
            f"{len(running)} pilot{'' if len(running) == 1 else 's'} running, "
            f"{len(closed)} closed" + (f": {verdicts}." if verdicts else ".")
        )
    if audit.candidates:
        titles = {p.theme.id: p.theme.title for p in audit.priorities}
        lines.append(
            "Next pilot candidates: " + "; ".join(titles[i] for i in audit.candidates) + "."
        )
    quiet = [s.label for s in audit.participation if s.hidden]
    if quiet:
        lines.append(
            f"Blind spots (fewer than {report.min_reporters} people took part): "
            + ", ".join(quiet)
            + "."
        )
    return lines


# -- JSON --------------------------------------------------------------------------------------
def slice_record(row: Slice) -> dict[str, Any]:
    """A lens or team row; numbers are None when the slice has fewer than k people."""
    return {
        "key": row.key,
        "label": row.label,
        "reports": row.reports,
        "people": row.people,
        "hidden": row.hidden,
        "themes": list(row.themes),
        "hours_per_week": row.hours_per_week,
    }


def training_record(effect: TrainingEffect) -> dict[str, Any]:
    """A theme's weekly reports before and after its lesson was sent."""
    return {
        "theme_id": effect.theme_id,
        "lesson": effect.lesson,
        "sent_at": effect.sent_at.isoformat(),
        "before_per_week": effect.before,
        "after_per_week": effect.after,
        "before_weeks": effect.before_weeks,
        "after_weeks": effect.after_weeks,
        "before_note": effect.before_note,
        "after_note": effect.after_note,
    }


def audit_json(report: InsightReport) -> dict[str, Any]:
    """`priorities`, `pilots` and the other audit sections for the JSON report."""
    audit = report.audit
    if audit is None:
        return {"priorities": [], "pilots": []}
    return {
        "summary_text": leader_summary(report),
        "priorities": [p.to_dict() for p in audit.priorities],
        "shortlist": [p.theme.id for p in audit.priorities[:SHORTLIST]],
        "pilot_candidates": audit.candidates,
        "pilots": [p.to_dict() for p in audit.pilots],
        "participation": [slice_record(row) for row in audit.participation],
        "lens_sections": [slice_record(row) for row in audit.lenses],
        "training": [training_record(t) for t in audit.training],
    }


# -- Markdown ----------------------------------------------------------------------------------
def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _impact(p: Priority) -> str:
    return p.impact.label()


def shortlist_markdown(audit: AuditSections) -> list[str]:
    """The ranked shortlist of themes by estimated impact."""
    lines = [
        "## Shortlist",
        "",
        "| rank | theme | estimated time lost | people | trend | lens | status |",
    ]
    lines.append("|---|---|---|---|---|---|---|")
    for p in audit.priorities[:SHORTLIST]:
        lines.append(
            f"| {p.rank} | {_md(p.theme.title)} | {_impact(p)} | {p.theme.reporters} | "
            f"{trend_label(p.theme)} | {lens_label(p.theme.main_category)} | {_status(p)} |"
        )
    return [*lines, ""]


def audit_markdown(report: InsightReport, audit: AuditSections) -> list[str]:
    """Participation, pilots and training sections."""
    k = report.min_reporters
    lines: list[str] = []
    lines += ["", "## Participation by team", "", "| team | reports | people |", "|---|---|---|"]
    for row in audit.participation:
        lines.append(f"| {_md(row.label)} | {number(row.reports, k)} | {number(row.people, k)} |")
    lines += ["", "## Pilots", ""]
    lines += _md_candidates(audit)
    for pilot in audit.pilots:
        lines += _md_pilot(pilot)
    if not audit.pilots:
        lines.append("No pilots yet.")
    lines += ["", "## Did training help?", ""]
    lines += [_training_line(t) for t in audit.training] or [
        "No lesson has been sent to a theme's reporters yet."
    ]
    return lines


def _status(p: Priority) -> str:
    label = STATUSES.get(p.theme.status, p.theme.status)
    return f"{label} (pilot #{p.pilot_id})" if p.pilot_id else label


def _md_candidates(audit: AuditSections) -> list[str]:
    titles = {p.theme.id: p for p in audit.priorities}
    if not audit.candidates:
        return []
    return (
        ["Candidates for a pilot:", ""]
        + [f"- {_md(titles[i].theme.title)} — {_impact(titles[i])}" for i in audit.candidates]
        + [""]
    )


def _md_pilot(pilot: PilotView) -> list[str]:
    lines = [
        f"### Pilot #{pilot.id}: {_md(pilot.theme_title)} ({pilot.status})",
        "",
        f"Objective: {_md(pilot.objective)}. Owner {pilot.owner}; {pilot.start} to {pilot.end}.",
    ]
    if pilot.verdict:
        lines.append(
            f"Verdict: **{VERDICTS.get(pilot.verdict, pilot.verdict)}**"
            + (f" — {_md(pilot.note)}" if pilot.note else "")
        )
    lines += ["", "| KPI | baseline | current | target | weekly |", "|---|---|---|---|---|"]
    for kpi in pilot.kpis:
        lines.append(
            f"| {_md(kpi.name)} ({_md(kpi.unit)}) | {kpi_value(kpi.baseline, kpi.baseline_note)} | "
            f"{kpi_value(kpi.current, kpi.current_note)} | {kpi_value(kpi.target, None)} | "
            f"`{spark_text(kpi.series)}` |"
        )
    return [*lines, ""]


def spark_text(points: Sequence[WeekPoint]) -> str:
    """The weekly series as text blocks (the same as in Slack)."""
    return sparkline(points)


def _training_line(t: TrainingEffect) -> str:
    return (
        f"- {_md(t.title)}: lesson `{t.lesson}` sent {t.sent_at:%d %b %Y}; "
        f"before {kpi_value(t.before, t.before_note)} reports a week ({t.before_weeks} weeks), "
        f"after {kpi_value(t.after, t.after_note)} ({t.after_weeks} weeks)"
    )


# -- HTML --------------------------------------------------------------------------------------
def kpi_svg(kpi: KpiView, start_index: int, width: int = 220, height: int = 44) -> str:
    """A small line chart of a KPI's weeks with its baseline and target as dashed lines."""
    values = [p.value for p in kpi.series]
    marks = [v for v in (*values, kpi.baseline, kpi.target) if v is not None]
    if not marks:
        return ""
    low, high = min(0.0, *marks), max(marks) or 1.0
    step = width / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return height - 3 - (v - low) / ((high - low) or 1.0) * (height - 6)

    segments: list[list[str]] = []
    current: list[str] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(f"{i * step:.1f},{y(v):.1f}")
    if current:
        segments.append(current)
    lines = "".join(
        f'<polyline fill="none" stroke="#3b6ea5" stroke-width="2" points="{" ".join(s)}"/>'
        for s in segments
    )
    for value, colour in ((kpi.baseline, "#9fb3c8"), (kpi.target, "#2e7d32")):
        if value is not None:
            lines += f'<line x1="0" x2="{width}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="{colour}" stroke-dasharray="4 3"/>'
    start = f'<line x1="{start_index * step:.1f}" x2="{start_index * step:.1f}" y1="0" y2="{height}" stroke="#d0d7de"/>'
    label = html.escape(f"{kpi.name} by week; dashed: baseline and target")
    return (
        f'<svg class="kpi" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{label}">{start}{lines}</svg>'
    )


def shortlist_html(audit: AuditSections) -> list[str]:
    """The ranked shortlist as an HTML table."""
    e = html.escape
    parts = [
        "<h2>Shortlist</h2><table><thead><tr><th>#</th><th>Theme</th><th>Estimated time lost</th>"
        "<th>People</th><th>Trend</th><th>Lens</th><th>Status</th></tr></thead><tbody>"
    ]
    for p in audit.priorities[:SHORTLIST]:
        parts.append(
            f"<tr><td>{p.rank}</td><td><a href='#theme-{p.theme.id}'>{e(p.theme.title)}</a></td>"
            f"<td>{e(_impact(p))}</td><td class='n'>{p.theme.reporters}</td>"
            f"<td class='n'>{e(trend_label(p.theme))}</td><td>{e(lens_label(p.theme.main_category))}</td>"
            f"<td><span class='status'>{e(_status(p))}</span></td></tr>"
        )
    if not audit.priorities:
        parts.append("<tr><td colspan='7'>No theme has enough distinct reporters yet.</td></tr>")
    parts.append("</tbody></table>")
    return parts


def audit_html(report: InsightReport, audit: AuditSections) -> list[str]:
    """Participation, pilots and training as HTML fragments (escaped; no scripts, no network)."""
    e, k = html.escape, report.min_reporters
    parts = []
    parts.append(
        "<h2>Participation by team</h2><table><thead><tr><th>Team</th><th>Reports</th><th>People</th></tr></thead><tbody>"
    )
    for row in audit.participation:
        parts.append(
            f"<tr><td>{e(row.label)}</td><td class='n'>{e(number(row.reports, k))}</td>"
            f"<td class='n'>{e(number(row.people, k))}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append("<h2>Pilots</h2>")
    titles = {p.theme.id: p for p in audit.priorities}
    if audit.candidates:
        parts.append("<p>Candidates for a pilot:</p><ul>")
        parts += [
            f"<li>{e(titles[i].theme.title)} — {e(_impact(titles[i]))}</li>"
            for i in audit.candidates
        ]
        parts.append("</ul>")
    for pilot in audit.pilots:
        parts += _html_pilot(pilot)
    if not audit.pilots:
        parts.append("<p>No pilots yet.</p>")
    parts.append("<h2>Did training help?</h2>")
    if audit.training:
        parts.append(
            "<table><thead><tr><th>Theme</th><th>Lesson sent</th><th>Reports a week before</th><th>After</th></tr></thead><tbody>"
        )
        for t in audit.training:
            parts.append(
                f"<tr><td>{e(t.title)}</td><td>{e(t.lesson)}, {t.sent_at:%d %b %Y}</td>"
                f"<td class='n'>{e(kpi_value(t.before, t.before_note))} ({t.before_weeks} wk)</td>"
                f"<td class='n'>{e(kpi_value(t.after, t.after_note))} ({t.after_weeks} wk)</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append("<p>No lesson has been sent to a theme's reporters yet.</p>")
    return parts


def _html_pilot(pilot: PilotView) -> list[str]:
    e = html.escape
    verdict = ""
    if pilot.verdict:
        verdict = (
            f"<p>Verdict: <b>{e(VERDICTS.get(pilot.verdict, pilot.verdict))}</b>"
            + (f" — {e(pilot.note)}" if pilot.note else "")
            + "</p>"
        )
    start_index = BASELINE_WEEKS  # the series begins that many weeks before the start
    rows = "".join(
        f"<tr><td>{e(kpi.name)} <span class='kw'>({e(kpi.unit)})</span></td>"
        f"<td class='n'>{e(kpi_value(kpi.baseline, kpi.baseline_note))}</td>"
        f"<td class='n'>{e(kpi_value(kpi.current, kpi.current_note))}</td>"
        f"<td class='n'>{e(kpi_value(kpi.target, None))}</td><td>{kpi_svg(kpi, start_index)}</td></tr>"
        for kpi in pilot.kpis
    )
    return [
        f"<section class='theme' id='pilot-{pilot.id}'><h3>Pilot #{pilot.id}: {e(pilot.theme_title)} "
        f"<span class='status'>{e(pilot.status)}</span></h3>",
        f"<p>{e(pilot.objective)}<br>Owner {e(pilot.owner)} · {pilot.start:%d %b %Y} to {pilot.end:%d %b %Y} · "
        f"pulses {e(pilot.pulse)} ({pilot.pulses_sent} sent)</p>",
        verdict,
        "<table><thead><tr><th>KPI</th><th>Baseline</th><th>Current</th><th>Target</th><th>By week</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>",
    ]
