"""The audit report in HTML (one self-contained file), Markdown, CSV and JSON."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections import Counter
from typing import Any

from bot.domain.capture import CATEGORIES
from bot.domain.lenses import LEGACY_CATEGORIES, UNCLASSIFIED, lens_label
from bot.domain.lenses import LENSES as LENS_KEYS
from bot.domain.themes import STATUSES, InsightReport, ThemeSummary, one_offs_sentence
from bot.reporting.audit import (
    audit_html,
    audit_json,
    audit_markdown,
    leader_summary,
    number,
    shortlist_html,
    shortlist_markdown,
)
from bot.reporting.charts import sparkline_svg, themes_over_time_png
from bot.reporting.tables import no_formula, section_csv
from bot.reporting.text import md_quotes, md_text

FORMATS = ("html", "md", "csv", "json")
# The audit's five lenses by label, with the old categories each one took over; reports
# with no lens yet (waiting for a suggestion) are shown as such, not put in a catch-all.
LENSES: dict[str, set[str | None]] = {
    label: {key, *(old for old, new in LEGACY_CATEGORIES.items() if new == key)}
    for key, label in LENS_KEYS.items()
}
THEME_FIELDS = (
    "id",
    "title",
    "status",
    "reporters",
    "size",
    "hours_per_week",
    "trend",
    "spike",
    "main_category",
    "keywords",
    "quotes",
    "categories",
    "teams",
    "first_seen",
    "last_seen",
    "lens",
    "impact_hours_per_week",
    "people_with_hours",
    "pilot",
)


def lens_of(summary: ThemeSummary) -> str:
    """The audit lens a theme belongs to, by its reports' main lens."""
    return lens_label(summary.main_category)


def theme_record(summary: ThemeSummary) -> dict[str, Any]:
    """A theme as a plain record for JSON/CSV (the same fields `painpoint themes` prints)."""
    return {
        "id": summary.id,
        "title": summary.title,
        "status": summary.status,
        "status_reason": summary.status_reason,
        "reporters": summary.reporters,
        "size": summary.size,
        "hours_per_week": round(summary.hours_per_week, 1),
        "trend": None if summary.trend is None else round(summary.trend, 3),
        "spike": summary.spike,
        "main_category": summary.main_category,
        "keywords": summary.keywords,
        "quotes": summary.quotes,
        "categories": summary.categories,
        "frequencies": summary.frequencies,
        "teams": summary.teams,
        "weekly_counts": summary.weekly_counts,
        "first_seen": summary.first_seen.isoformat(),
        "last_seen": summary.last_seen.isoformat(),
        "history": [
            {"status": h.status, "reason": h.reason, "by": h.actor, "at": h.at.isoformat()}
            for h in summary.history
        ],
        "lens": lens_of(summary),
        "impact_hours_per_week": summary.impact.hours_per_week if summary.impact else None,
        "people_with_hours": summary.impact.people_with_hours if summary.impact else None,
        "pilot": summary.running_pilot,
    }


def report_json(report: InsightReport) -> str:
    """The report as one JSON document."""
    document = {
        "generated_at": report.generated_at.isoformat(),
        "period": report.period,
        "team": report.team,
        "summary": _summary_numbers(report),
        "themes": [theme_record(t) for t in report.themes],
        "lenses": _lenses(report),
        "method": _method(report),
        **audit_json(report),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def report_csv(report: InsightReport) -> str:
    """The themes table as CSV."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(THEME_FIELDS), extrasaction="ignore")
    writer.writeheader()
    for summary in report.themes:
        record = theme_record(summary)
        for key in ("keywords", "quotes"):
            record[key] = " | ".join(record[key])
        for key in ("categories", "teams"):
            record[key] = "; ".join(f"{k}: {v}" for k, v in record[key].items())
        writer.writerow({k: no_formula(v) if isinstance(v, str) else v for k, v in record.items()})
    return out.getvalue()


def _summary_numbers(report: InsightReport) -> dict[str, Any]:
    return {
        "painpoints": report.total_painpoints,
        "reporters": report.total_reporters,
        "hours_per_week": round(report.total_hours_per_week, 1),
        "themes": len(report.themes),
        "smaller_signals": report.smaller_signals,
        "suppressed_painpoints": report.suppressed_painpoints,
        "unassigned_painpoints": report.unassigned_painpoints,
        "min_reporters": report.min_reporters,
    }


def _lenses(report: InsightReport) -> dict[str, Any]:
    """Per lens: reports and people (None below k), the themes under it and their hours."""
    result: dict[str, Any] = {}
    if report.audit is not None:
        for row in report.audit.lenses:
            result[row.label] = {
                "reports": row.reports,
                "people": row.people,
                "themes": list(row.themes),
                "hours_per_week": row.hours_per_week or 0.0,
            }
        return result
    for name in [*LENSES, UNCLASSIFIED]:
        themes = [t for t in report.themes if lens_of(t) == name]
        if name == UNCLASSIFIED and not themes:
            continue
        result[name] = {
            "reports": None,
            "people": None,
            "themes": [t.id for t in themes],
            "hours_per_week": round(sum(t.hours_per_week for t in themes), 1),
        }
    return result


def _method(report: InsightReport) -> dict[str, Any]:
    return {
        "model": report.model or "all-MiniLM-L6-v2",
        "min_reporters": report.min_reporters,
        "suppressed": {
            "themes": report.smaller_signals,
            "painpoints": report.suppressed_painpoints,
        },
        "unassigned_painpoints": report.unassigned_painpoints,
        "privacy": (
            "Reporters are stored as keyed pseudonyms; names, e-mail addresses, phone numbers, card "
            "and account numbers, addresses, mentions and secret links are removed before anyone "
            "sees the text; themes, quotes and slices backed by fewer than "
            f"{report.min_reporters} distinct reporters are not shown. " + _retention_line(report)
        ),
    }


def _retention_line(report: InsightReport) -> str:
    """Which period still has text (retention removes the text of older reports)."""
    if report.text_removed_until is None:
        return "Every report in this period still has its text."
    return (
        f"Reports up to {report.text_removed_until:%d %B %Y} have had their text removed under "
        "the retention policy; they still count in every number, but only later reports are "
        "quoted."
    )


def report_markdown(report: InsightReport) -> str:
    """The report as Markdown."""
    n = _summary_numbers(report)
    lines = [
        f"# Pain-point audit report — {report.period}{', team ' + report.team if report.team else ''}",
        "",
        f"Generated {report.generated_at:%d %B %Y %H:%M} UTC.",
        "",
        "## Summary",
        "",
        f"- {n['painpoints']:,} pain points from {n['reporters']:,} distinct reporters",
        f"- ≈ {n['hours_per_week']:,.0f} hours a week lost across the themes shown "
        "(each person counted once per theme)",
        f"- {n['themes']} recurring themes; {n['smaller_signals']} smaller signals not shown",
        "",
        *leader_summary(report),
        "",
        *(shortlist_markdown(report.audit) if report.audit else []),
        "## Themes",
        "",
        "| # | theme | people | reports | h/week | trend | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in report.themes:
        lines.append(
            f"| {t.id} | {_md(t.title)} | {t.reporters} | {t.size} | {t.hours_per_week:,.0f} | "
            f"{_trend_text(t)} | {STATUSES.get(t.status, t.status)} |"
        )
    for t in report.themes:
        lines += _theme_markdown(t)
    lines += ["", "## By audit lens", ""]
    k = report.min_reporters
    titles = {t.id: t for t in report.themes}
    for name, data in _lenses(report).items():
        lines.append(
            f"- **{name}**: {number(data['reports'], k)} reports from {number(data['people'], k)} "
            f"people, {len(data['themes'])} themes, {data['hours_per_week']:,.0f} h/week"
        )
        lines += [f"  - {_md(titles[i].title)}: {_impact_text(titles[i])}" for i in data["themes"]]
    if report.audit is not None:
        lines += audit_markdown(report, report.audit)
    m = _method(report)
    lines += [
        "",
        "## Method and privacy",
        "",
        f"Embedding model: {m['model']}. {m['privacy']}",
        f"Suppressed: {m['suppressed']['themes']} smaller signals ({m['suppressed']['painpoints']} reports). "
        f"{one_offs_sentence(m['unassigned_painpoints'])}".rstrip(),
        "",
    ]
    return "\n".join(lines)


def _theme_markdown(t: ThemeSummary) -> list[str]:
    lines = ["", f"### {_md(t.title)}", "", f"Keywords: {', '.join(t.keywords)}", ""]
    lines += md_quotes(t.quotes)
    lines.append("")
    lines.append(f"Impact: {_impact_text(t)}")
    lines.append(f"Lenses: {_counts(t.categories, CATEGORIES)} · Teams: {_counts(t.teams)}")
    lines.append(f"Weekly reports (12 weeks): {' '.join(map(str, t.weekly_counts))}")
    for h in t.history:
        lines.append(
            f"- {h.at:%d %b %Y}: {STATUSES.get(h.status, h.status)} by {h.actor or 'unknown'}"
            + (f" — {h.reason}" if h.reason else "")
        )
    return lines


def _impact_text(t: ThemeSummary) -> str:
    return t.impact.label() if t.impact else f"{t.hours_per_week:,.0f} h/week"


def _md(text: str) -> str:
    return md_text(text)


def _trend_text(t: ThemeSummary) -> str:
    if t.trend is None:
        return "new" if t.current_count else "steady"
    return f"{t.trend:+.0%}"


def _counts(mapping: dict[str, int], labels: dict[str, str] | None = None) -> str:
    return (
        ", ".join(f"{(labels or {}).get(k, k)} {v}" for k, v in Counter(mapping).most_common(8))
        or "—"
    )


CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;max-width:960px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #e3e8ef;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#5b6b7f}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{background:#f4f7fb;border-radius:8px;padding:.8rem 1rem;min-width:140px}
.card b{display:block;font-size:1.5rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e8ef;vertical-align:top}th{background:#f4f7fb}
td.n{text-align:right;white-space:nowrap}.theme{break-inside:avoid;border:1px solid #e3e8ef;border-radius:8px;padding:.6rem 1rem;margin:1rem 0}
blockquote{margin:.3rem 0;padding:.2rem .8rem;border-left:3px solid #9fb3c8;color:#33475b}.kw{color:#5b6b7f}
.status{display:inline-block;background:#e8eef6;border-radius:10px;padding:0 .5rem;font-size:.85rem}.spike{color:#b3261e;font-weight:600}
img.chart{max-width:100%;height:auto}@media print{body{margin:0;max-width:none}.theme{page-break-inside:avoid}a{color:inherit}}
"""


def report_html(report: InsightReport) -> str:
    """One self-contained HTML file: inline styles and images, no scripts, no network."""
    e = html.escape
    n = _summary_numbers(report)
    chart = base64.b64encode(themes_over_time_png(report.themes, report.generated_at)).decode()
    scope = f"{report.period}{', team ' + report.team if report.team else ''}"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Pain-point audit report — {e(scope)}</title><style>{CSS}</style></head><body>",
        f"<h1>Pain-point audit report</h1><p class='meta'>{e(scope)} · generated {report.generated_at:%d %B %Y %H:%M} UTC</p>",
        "<h2>Summary</h2><div class='cards'>",
        f"<div class='card'><b>{n['painpoints']:,}</b>pain points</div>",
        f"<div class='card'><b>{n['reporters']:,}</b>distinct reporters</div>",
        f"<div class='card'><b>≈ {n['hours_per_week']:,.0f}</b>hours a week</div>",
        f"<div class='card'><b>{n['themes']}</b>recurring themes</div></div>",
        *(f"<p>{e(line)}</p>" for line in leader_summary(report)),
        *(shortlist_html(report.audit) if report.audit else []),
        f"<p><img class='chart' alt='Reports per week for the top themes' src='data:image/png;base64,{chart}'></p>",
        "<h2>Themes</h2><table><thead><tr><th>#</th><th>Theme</th><th>People</th><th>Reports</th>"
        "<th>h/week</th><th>Trend</th><th>Status</th></tr></thead><tbody>",
    ]
    for t in report.themes:
        spike = " <span class='spike'>spike</span>" if t.spike else ""
        parts.append(
            f"<tr><td>{t.id}</td><td><a href='#theme-{t.id}'>{e(t.title)}</a>{spike}</td><td class='n'>{t.reporters}</td>"
            f"<td class='n'>{t.size}</td><td class='n'>{t.hours_per_week:,.0f}</td><td class='n'>{_trend_text(t)}</td>"
            f"<td><span class='status'>{e(STATUSES.get(t.status, t.status))}</span></td></tr>"
        )
    if not report.themes:
        parts.append("<tr><td colspan='7'>No theme has enough distinct reporters yet.</td></tr>")
    parts.append("</tbody></table>")
    for t in report.themes:
        parts += _theme_html(t)
    parts.append(
        "<h2>By audit lens</h2><table><thead><tr><th>Lens</th><th>Reports</th><th>People</th>"
        "<th>Themes</th><th>h/week</th></tr></thead><tbody>"
    )
    k = report.min_reporters
    for name, data in _lenses(report).items():
        titles = ", ".join(t.title for t in report.themes if t.id in data["themes"])
        parts.append(
            f"<tr><td>{e(name)}</td><td class='n'>{e(number(data['reports'], k))}</td>"
            f"<td class='n'>{e(number(data['people'], k))}</td><td>{e(titles) or '—'}</td>"
            f"<td class='n'>{data['hours_per_week']:,.0f}</td></tr>"
        )
    parts.append("</tbody></table>")
    if report.audit is not None:
        parts += audit_html(report, report.audit)
    m = _method(report)
    parts.append(
        "<h2>Method and privacy</h2>"
        f"<p>Reports were embedded with <b>{e(m['model'])}</b> and grouped into themes without labels; "
        "keywords come from class-based TF-IDF and quotes are the reports closest to each theme's centre, "
        "from different people.</p>"
        f"<p>{e(m['privacy'])}</p>"
        f"<p>Held back: {m['suppressed']['themes']} smaller signals ({m['suppressed']['painpoints']} reports). "
        f"{e(one_offs_sentence(m['unassigned_painpoints']))}</p></body></html>"
    )
    return "".join(parts)


def _theme_html(t: ThemeSummary) -> list[str]:
    e = html.escape
    parts = [f"<section class='theme' id='theme-{t.id}'><h3>{e(t.title)}</h3>"]
    parts.append(
        f"<p>{t.reporters} people · {t.size} reports · {e(_impact_text(t))} · {_trend_text(t)} · "
        f"first seen {t.first_seen:%d %b %Y}, last seen {t.last_seen:%d %b %Y} {sparkline_svg(t.weekly_counts)}</p>"
    )
    parts.append(f"<p class='kw'>Keywords: {e(', '.join(t.keywords))}</p>")
    parts += [f"<blockquote>{e(q)}</blockquote>" for q in t.quotes]
    parts.append(
        f"<p>Lenses: {e(_counts(t.categories, CATEGORIES))}<br>Teams: {e(_counts(t.teams))}</p>"
    )
    if t.history:
        parts.append("<p>Status history:</p><ul>")
        parts += [
            f"<li>{h.at:%d %b %Y}: {e(STATUSES.get(h.status, h.status))} by {e(h.actor or 'unknown')}"
            + (f" — {e(h.reason)}" if h.reason else "")
            + "</li>"
            for h in t.history
        ]
        parts.append("</ul>")
    parts.append("</section>")
    return parts


def render(report: InsightReport, fmt: str, section: str = "themes") -> str:
    """The report in one of FORMATS; a CSV holds one of CSV_SECTIONS (the themes by default)."""
    renderers = {"html": report_html, "md": report_markdown, "csv": report_csv, "json": report_json}
    if fmt not in renderers:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "csv" and section != "themes":
        return section_csv(report, section)
    return renderers[fmt](report)
