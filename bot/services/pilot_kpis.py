"""Reading what a pilot's KPIs are measured from, and turning it into PilotView records.

One query per kind of fact for any number of pilots, so the report stays fast with many
pilots and a year of pulses each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import PainPoint
from bot.db.nudge_models import NudgeDelivery
from bot.db.pilot_models import Pilot, PilotKpi, PilotKpiValue, PilotPulseAnswer
from bot.domain import kpis as measure
from bot.domain.kpis import BASELINE_WEEKS, WEEK, monday, mondays
from bot.domain.pilots import PULSES, KpiView, PilotView, pilot_status
from bot.domain.time import aware, maybe_aware

Reports = list[tuple[datetime, str, float | None]]


def running_pilots(session: Session) -> dict[int, int]:
    """Theme id → the id of its running pilot (the newest when there are several)."""
    rows = session.execute(
        select(Pilot.theme_id, Pilot.id)
        .where(Pilot.status == "running", Pilot.theme_id.is_not(None))
        .order_by(Pilot.id)
    ).all()
    return {int(theme_id or 0): int(pilot_id) for theme_id, pilot_id in rows}


def theme_reports(session: Session, theme_ids: Sequence[int]) -> dict[int, Reports]:
    """Each theme's reports as (created_at, reporter, hours), oldest first."""
    found: dict[int, Reports] = defaultdict(list)
    if not theme_ids:
        return found
    rows = session.execute(
        select(
            PainPoint.theme_id, PainPoint.created_at, PainPoint.reporter, PainPoint.hours_per_week
        )
        .where(PainPoint.theme_id.in_(list(set(theme_ids))), PainPoint.pending_scrub.is_(False))
        .order_by(PainPoint.created_at)
    ).all()
    for theme_id, created_at, reporter, hours in rows:
        found[int(theme_id or 0)].append((aware(created_at), reporter, hours))
    return found


def baseline_from_history(
    kind: str, reports: Reports, start: date, k: int
) -> tuple[float | None, str | None]:
    """The baseline a built-in KPI gets from the theme's history before the start."""
    if kind == "reports":
        return measure.reports_baseline([(at, who) for at, who, _ in reports], start, k)
    if kind == "hours":
        return measure.hours_baseline(reports, start, k)
    return None, None


def pilot_views(
    session: Session, pilots: Sequence[Pilot], *, min_reporters: int, today: date
) -> list[PilotView]:
    """Views of the given pilots with every KPI measured under the minimum-reporter rule."""
    if not pilots:
        return []
    ids = [p.id for p in pilots]
    kpis: dict[int, list[PilotKpi]] = defaultdict(list)
    for kpi in session.scalars(
        select(PilotKpi).where(PilotKpi.pilot_id.in_(ids)).order_by(PilotKpi.position)
    ):
        kpis[kpi.pilot_id].append(kpi)
    values: dict[int, list[tuple[date, float]]] = defaultdict(list)
    kpi_ids = [kpi.id for rows in kpis.values() for kpi in rows]
    if kpi_ids:
        for kpi_id, on_date, value in session.execute(
            select(PilotKpiValue.kpi_id, PilotKpiValue.on_date, PilotKpiValue.value).where(
                PilotKpiValue.kpi_id.in_(kpi_ids)
            )
        ):
            values[kpi_id].append((on_date, float(value)))
    answers: dict[int, list[tuple[date, str, float]]] = defaultdict(list)
    for pilot_id, week, who, hours in session.execute(
        select(
            PilotPulseAnswer.pilot_id,
            PilotPulseAnswer.week,
            PilotPulseAnswer.respondent,
            PilotPulseAnswer.hours,
        ).where(PilotPulseAnswer.pilot_id.in_(ids))
    ):
        answers[pilot_id].append((week, who, float(hours)))
    campaigns = [p.pulse_campaign_id for p in pilots if p.pulse_campaign_id]
    sent: dict[int, int] = {}
    if campaigns:
        sent = {
            int(campaign): int(n)
            for campaign, n in session.execute(
                select(NudgeDelivery.campaign_id, func.count())
                .where(NudgeDelivery.campaign_id.in_(campaigns), NudgeDelivery.status == "sent")
                .group_by(NudgeDelivery.campaign_id)
            )
        }
    reports = theme_reports(session, [p.theme_id for p in pilots if p.theme_id is not None])
    return [
        _view(
            pilot,
            kpis[pilot.id],
            reports.get(pilot.theme_id or 0, []),
            answers[pilot.id],
            values,
            sent.get(pilot.pulse_campaign_id or 0, 0),
            k=min_reporters,
            today=today,
        )
        for pilot in pilots
    ]


def _view(
    pilot: Pilot,
    kpis: Sequence[PilotKpi],
    reports: Reports,
    answers: list[tuple[date, str, float]],
    values: dict[int, list[tuple[date, float]]],
    pulses_sent: int,
    *,
    k: int,
    today: date,
) -> PilotView:
    closed = maybe_aware(pilot.closed_at)
    until = measure.measured_until(today, pilot.end_date, closed.date() if closed else None)
    weeks = mondays(monday(pilot.start_date) - BASELINE_WEEKS * WEEK, max(until, pilot.start_date))
    views = [
        _kpi_view(kpi, pilot, reports, answers, values.get(kpi.id, []), weeks, until, k)
        for kpi in kpis
    ]
    created = aware(pilot.created_at)
    return PilotView(
        id=pilot.id,
        theme_id=pilot.theme_id,
        theme_title=pilot.theme_title,
        status=pilot_status(pilot.status, pilot.start_date, today),
        owner=pilot.owner,
        objective=pilot.objective,
        start=pilot.start_date,
        end=pilot.end_date,
        kpis=tuple(views),
        pulse=PULSES.get(pilot.pulse, pilot.pulse),
        participants=tuple(pilot.participants or ()),
        include_reporters=pilot.include_reporters,
        created_by=pilot.created_by,
        created_at=created,
        pulses_sent=pulses_sent,
        verdict=pilot.verdict,
        note=pilot.note,
        closed_at=closed,
        closed_by=pilot.closed_by,
    )


def _kpi_view(
    kpi: PilotKpi,
    pilot: Pilot,
    reports: Reports,
    answers: list[tuple[date, str, float]],
    logged: list[tuple[date, float]],
    weeks: list[date],
    until: date,
    k: int,
) -> KpiView:
    """One KPI measured week by week, with its baseline and current value."""
    if kpi.kind == "reports":
        dated = [(at, who) for at, who, _ in reports]
        series = measure.reports_series(dated, weeks, k)
        current = measure.reports_current(dated, pilot.start_date, until, k)
    elif kpi.kind == "hours":
        series = measure.hours_series(answers, weeks, k)
        current = measure.hours_current(answers, k)
    else:
        series = measure.custom_series(logged, weeks)
        current = measure.custom_current([(d, v) for d, v in logged if d >= pilot.start_date])
    baseline, note = _baseline(kpi, reports, logged, pilot.start_date, k)
    return KpiView(
        name=kpi.name,
        kind=kpi.kind,
        unit=kpi.unit,
        baseline=baseline,
        target=kpi.target,
        current=current[0],
        series=series,
        baseline_note=note,
        current_note=current[1],
    )


def _baseline(
    kpi: PilotKpi,
    reports: Reports,
    logged: list[tuple[date, float]],
    start: date,
    k: int,
) -> tuple[float | None, str | None]:
    if kpi.baseline is not None:
        return kpi.baseline, measure.BY_HAND
    if kpi.kind == "custom":
        before = sorted((d, v) for d, v in logged if d < start)
        return (before[-1][1], "last value before the start") if before else (None, None)
    value, note = baseline_from_history(kpi.kind, reports, start, k)
    return value, note or "from the theme's history"
