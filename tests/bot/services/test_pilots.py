"""Pilots in the database: start from a theme with history, log, measure, close, replay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from bot.db.models import PainPoint, Theme, ThemeEvent
from bot.db.nudge_models import NudgeCampaign, NudgeDelivery, NudgeRun
from bot.db.pilot_models import PilotPulseAnswer
from bot.db.session import SessionFactory
from bot.domain.pilots import PilotDraft, PilotError, parse_kpi
from bot.domain.schedule import Schedule
from bot.services.pilots import AlreadyDone, PilotService
from tests.bot.reporting.factories import Seeded, seed_theme

NOW = datetime(2026, 6, 3, 12, tzinfo=UTC)  # a Wednesday
START = date(2026, 6, 1)


def service(session_factory: SessionFactory, now: datetime = NOW) -> PilotService:
    return PilotService(session_factory, min_reporters=3, clock=lambda: now)


def history(session_factory: SessionFactory, **kwargs: object) -> Seeded:
    """Four people, two reports each a week for the eight weeks before the start, 3 h each."""
    days = [3 + 3.5 * n for n in range(16)]  # from 3 to 55.5 days before NOW
    return seed_theme(
        session_factory,
        "Invoices arrive by e-mail and are typed in",
        reporters=4,
        reports_per_reporter=4,
        days_ago=days,
        now=NOW,
        hours=3.0,
        **kwargs,  # type: ignore[arg-type]
    )


def draft(theme_id: int, **changes: object) -> PilotDraft:
    values: dict[str, object] = {
        "theme_id": theme_id,
        "owner": "UOWNER",
        "objective": "Suppliers upload invoices to the portal",
        "kpis": (parse_kpi("reports"), parse_kpi("hours"), parse_kpi("custom:cycle time:days")),
        "start": START,
        "end": START + timedelta(weeks=6),
        "targets": {"reports": 1.0, "cycle time": 2.0},
        "participants": ("UPART1", "SGROUP"),
    }
    values.update(changes)
    return PilotDraft(**values)  # type: ignore[arg-type]


def campaigns(session_factory: SessionFactory) -> list[NudgeCampaign]:
    with session_factory() as session:
        return list(session.scalars(select(NudgeCampaign).order_by(NudgeCampaign.id)))


def test_a_pilot_starts_from_a_theme_with_baselines_from_its_history(
    session_factory: SessionFactory,
) -> None:
    theme = history(session_factory)

    pilot = service(session_factory).create(draft(theme.theme_id), created_by="UMANAGER")

    assert pilot.status == "running" and pilot.theme_id == theme.theme_id
    reports, hours, custom = pilot.kpis
    assert (reports.baseline, reports.baseline_note) == (2.0, "from the theme's history")
    assert (hours.baseline, hours.target) == (3.0, None)
    assert (custom.unit, custom.baseline, custom.target) == ("days", None, 2.0)
    with session_factory() as session:
        row = session.get(Theme, theme.theme_id)
        assert row is not None and row.status == "piloting"
        event = session.scalars(select(ThemeEvent).where(ThemeEvent.kind == "status")).one()
        assert (event.actor, event.detail["pilot"]) == ("UMANAGER", pilot.id)
    start, pulse = campaigns(session_factory)
    assert start.lessons == [f"pilot-start:{pilot.id}"]
    assert pulse.lessons == [f"pulse:{pilot.id}"]
    audience = ["UPART1", "SGROUP", f"theme:{theme.theme_id}"]
    assert start.audience == pulse.audience == audience
    schedule = Schedule.from_dict(pulse.schedule)
    assert schedule.local_time and schedule.weekdays == (4,) and schedule.end is not None


def test_the_baseline_can_be_given_by_hand(session_factory: SessionFactory) -> None:
    theme = history(session_factory)
    pilot = service(session_factory).create(
        draft(theme.theme_id, baselines={"reports": 5.0}), created_by="UMANAGER"
    )
    assert (pilot.kpis[0].baseline, pilot.kpis[0].baseline_note) == (5.0, "set by hand")


@pytest.mark.parametrize("case", ["missing", "small", "inactive"])
def test_a_theme_managers_cannot_see_is_unknown(session_factory: SessionFactory, case: str) -> None:
    if case == "missing":
        theme_id = 999
    else:
        seeded = seed_theme(
            session_factory, "Complaint about Bob", reporters=2 if case == "small" else 3
        )
        theme_id = seeded.theme_id
        if case == "inactive":
            with session_factory() as session, session.begin():
                row = session.get(Theme, theme_id)
                assert row is not None
                row.active = False

    with pytest.raises(PilotError, match=rf"unknown theme #{theme_id}: no theme with at least 3"):
        service(session_factory).create(draft(theme_id), created_by="UMANAGER")
    assert campaigns(session_factory) == []


def test_a_replayed_submission_starts_one_pilot(session_factory: SessionFactory) -> None:
    theme = history(session_factory)
    pilots = service(session_factory)

    pilots.create(draft(theme.theme_id), created_by="UMANAGER", claim_key="V1:abc")
    with pytest.raises(AlreadyDone):
        pilots.create(draft(theme.theme_id), created_by="UMANAGER", claim_key="V1:abc")

    assert len(pilots.views()) == 1 and len(campaigns(session_factory)) == 2


def test_custom_values_are_logged_by_day_and_built_in_ones_refused(
    session_factory: SessionFactory,
) -> None:
    theme = history(session_factory)
    pilots = service(session_factory)
    pilot = pilots.create(draft(theme.theme_id), created_by="UMANAGER")

    pilots.log_value(pilot.id, "cycle time", 9.0, on=START - timedelta(days=3), actor="UOWNER")
    view = pilots.log_value(
        pilot.id, " cycle  time ", 4.0, on=START + timedelta(days=1), actor="UOWNER"
    )

    custom = view.kpi("cycle time")
    assert custom is not None
    assert (custom.baseline, custom.baseline_note) == (9.0, "last value before the start")
    assert custom.current == 4.0 and custom.met is False
    with pytest.raises(PilotError, match="unknown KPI 'nps' for pilot"):
        pilots.log_value(pilot.id, "nps", 1.0, on=None, actor="UOWNER")
    with pytest.raises(PilotError, match="measured by painpoint itself"):
        pilots.log_value(pilot.id, "reports", 1.0, on=None, actor="UOWNER")
    with pytest.raises(PilotError, match="there is no pilot #99"):
        pilots.log_value(99, "cycle time", 1.0, on=None, actor="UOWNER")


def answer(
    session_factory: SessionFactory, pilot_id: int, who: str, hours: float, week: date
) -> None:
    with session_factory() as session, session.begin():
        run = NudgeRun(
            campaign_id=campaigns(session_factory)[-1].id,
            run_key=f"{who}{week}",
            lesson_id=f"pulse:{pilot_id}",
            expand_at=NOW,
            status="expanded",
        )
        session.add(run)
        session.flush()
        delivery = NudgeDelivery(
            run_id=run.id,
            campaign_id=run.campaign_id,
            lesson_id=run.lesson_id,
            recipient=who,
            due_at=NOW,
            status="sent",
        )
        session.add(delivery)
        session.flush()
        session.add(
            PilotPulseAnswer(
                delivery_id=delivery.id, pilot_id=pilot_id, respondent=who, hours=hours, week=week
            )
        )


def test_pulse_answers_are_shown_only_when_k_people_answered(
    session_factory: SessionFactory,
) -> None:
    theme = history(session_factory)
    pilots = service(session_factory)
    pilot = pilots.create(draft(theme.theme_id), created_by="UMANAGER")
    answer(session_factory, pilot.id, "a", 0.5, START)
    answer(session_factory, pilot.id, "b", 2.0, START)

    hidden = pilots.get(pilot.id)
    assert hidden is not None and hidden.kpi("hours") is not None
    assert (hidden.kpis[1].current, hidden.kpis[1].current_note) == (
        None,
        "fewer than 3 people answered",
    )
    assert hidden.kpis[1].series[-1].hidden

    answer(session_factory, pilot.id, "c", 0.5, START)
    shown = pilots.get(pilot.id)
    assert shown is not None and shown.kpis[1].current == 0.5
    assert shown.to_dict()["kpis"][1]["current"] == 0.5


def test_closing_sets_the_verdict_stops_pulses_and_tells_everyone_once(
    session_factory: SessionFactory,
) -> None:
    theme = history(session_factory)
    pilots = service(session_factory)
    pilot = pilots.create(draft(theme.theme_id, include_reporters=False), created_by="UMANAGER")
    pulse_campaign = campaigns(session_factory)[-1]
    answer(session_factory, pilot.id, "a", 1.0, START)
    with session_factory() as session, session.begin():
        session.add(
            NudgeDelivery(
                run_id=session.scalars(select(NudgeRun.id)).first(),
                campaign_id=pulse_campaign.id,
                lesson_id=f"pulse:{pilot.id}",
                recipient="UPENDING",
                due_at=NOW + timedelta(days=2),
                status="pending",
            )
        )

    result = pilots.close(
        pilot.id, verdict="scale", note="Portal for all suppliers", actor="UOWNER", claim_key="V9:x"
    )

    assert result.theme_status == "addressed"
    assert (result.pilot.status, result.pilot.verdict) == ("closed", "scale")
    closing = campaigns(session_factory)[-1]
    assert closing.lessons == [f"pilot-close:{pilot.id}"]
    # The reporters who asked to be kept posted hear the outcome even when not participants.
    assert closing.audience == ["UPART1", "SGROUP", f"theme:{theme.theme_id}"]
    with session_factory() as session:
        statuses = dict(
            session.execute(select(NudgeDelivery.recipient, NudgeDelivery.status)).all()
        )
        assert statuses["UPENDING"] == "cancelled"
        assert session.get(NudgeCampaign, pulse_campaign.id).status == "cancelled"  # type: ignore[union-attr]
    with pytest.raises(AlreadyDone):
        pilots.close(pilot.id, verdict="scale", note=None, actor="UOWNER", claim_key="V9:x")
    with pytest.raises(
        PilotError, match=rf"pilot #{pilot.id} is already closed \(scale on 2026-06-03\)"
    ):
        pilots.close(pilot.id, verdict="stop", note=None, actor="UOWNER")
    assert len(campaigns(session_factory)) == 3


@pytest.mark.parametrize(
    ("verdict", "status"), [("iterate", "under_review"), ("stop", "under_review")]
)
def test_the_theme_follows_the_verdict(
    session_factory: SessionFactory, verdict: str, status: str
) -> None:
    theme = history(session_factory)
    pilots = service(session_factory)
    pilot = pilots.create(draft(theme.theme_id), created_by="UMANAGER")

    assert (
        pilots.close(pilot.id, verdict=verdict, note=None, actor="UMANAGER").theme_status == status
    )
    with pytest.raises(PilotError, match="unknown verdict"):
        pilots.close(pilot.id, verdict="maybe", note=None, actor="UMANAGER")


def test_only_the_owner_may_manage_their_pilot(session_factory: SessionFactory) -> None:
    theme = history(session_factory)
    pilots = service(session_factory)
    pilot = pilots.create(draft(theme.theme_id), created_by="UMANAGER")
    assert pilots.may_manage(pilot.id, "UOWNER")
    assert not pilots.may_manage(pilot.id, "USOMEONE")
    assert not pilots.may_manage(999, "UOWNER")


def test_a_pilot_before_its_start_is_planned_and_has_no_current_value(
    session_factory: SessionFactory,
) -> None:
    theme = history(session_factory)
    pilot = service(session_factory).create(
        draft(theme.theme_id, start=date(2026, 7, 1), end=date(2026, 8, 1)), created_by="UMANAGER"
    )
    assert pilot.status == "planned"
    assert pilot.kpis[0].current_note == "measured after the first full week"


def test_the_closing_dm_skips_the_reporters_of_a_theme_fallen_below_the_minimum(
    session_factory: SessionFactory,
) -> None:
    # The closing DM names the theme: once two of four people have deleted their reports,
    # no manager may see it, and its opted-in reporters are not told its title either.
    theme = history(session_factory)
    pilots = service(session_factory)
    pilot = pilots.create(draft(theme.theme_id, include_reporters=False), created_by="UMANAGER")
    with session_factory() as session, session.begin():
        session.execute(delete(PainPoint).where(PainPoint.reporter.in_(theme.reporters[:2])))

    pilots.close(pilot.id, verdict="stop", note=None, actor="UMANAGER")

    assert campaigns(session_factory)[-1].audience == ["UPART1", "SGROUP"]
