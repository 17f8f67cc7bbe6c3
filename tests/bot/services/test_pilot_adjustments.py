"""A running pilot's numbers can be adjusted, and a pilot follows its theme into a merge."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import ThemeEvent
from bot.db.nudge_models import NudgeCampaign
from bot.db.session import SessionFactory
from bot.domain.pilots import PilotError
from bot.services.theme_corrections import ThemeCorrections
from tests.bot.reporting.factories import seed_theme
from tests.bot.services.test_pilots import NOW, draft, history, service


def test_baselines_and_targets_can_be_changed_and_given_back_to_history(
    session_factory: SessionFactory,
) -> None:
    theme = history(session_factory)
    pilots = service(session_factory)
    pilot = pilots.create(draft(theme.theme_id), created_by="UMANAGER")

    changed = pilots.set_kpis(
        pilot.id,
        {"reports": {"baseline": 4.0, "target": 0.5}, "cycle time": {"baseline": 9.0}},
        actor="UOWNER",
    )

    reports, hours, custom = changed.kpis
    assert (reports.baseline, reports.baseline_note, reports.target) == (4.0, "set by hand", 0.5)
    assert (hours.baseline, hours.target) == (3.0, None)  # untouched
    assert (custom.baseline, custom.target) == (9.0, 2.0)

    back = pilots.set_kpis(pilot.id, {"reports": {"baseline": None}}, actor="UOWNER").kpis[0]
    assert (back.baseline, back.baseline_note) == (2.0, "from the theme's history")
    assert back.target == 0.5
    with session_factory() as session:
        events = session.scalars(select(ThemeEvent).where(ThemeEvent.kind == "pilot_kpis")).all()
        assert [event.actor for event in events] == ["UOWNER", "UOWNER"]
        assert events[0].detail["kpis"]["reports"] == {"baseline": 4.0, "target": 0.5}


def test_adjusting_refuses_unknown_kpis_and_closed_pilots(session_factory: SessionFactory) -> None:
    theme = history(session_factory)
    pilots = service(session_factory)
    pilot = pilots.create(draft(theme.theme_id), created_by="UMANAGER")

    with pytest.raises(PilotError, match=r"unknown KPI 'speed' for pilot #\d+; it has reports"):
        pilots.set_kpis(pilot.id, {"speed": {"target": 1.0}}, actor="UOWNER")
    with pytest.raises(PilotError, match="there is no pilot #999"):
        pilots.set_kpis(999, {"reports": {"target": 1.0}}, actor="UOWNER")
    pilots.close(pilot.id, verdict="stop", note=None, actor="UOWNER")
    with pytest.raises(PilotError, match="is closed; its numbers stay as they were"):
        pilots.set_kpis(pilot.id, {"reports": {"target": 1.0}}, actor="UOWNER")
    shown = pilots.get(pilot.id)
    assert shown is not None and shown.kpis[0].target == 1.0  # as created


def test_a_pilot_follows_its_theme_into_a_merge(session_factory: SessionFactory) -> None:
    theme = history(session_factory)
    pilots = service(session_factory)
    pilot = pilots.create(draft(theme.theme_id), created_by="UMANAGER")
    before = pilots.get(pilot.id)
    assert before is not None and before.kpis[0].baseline == 2.0
    other = seed_theme(
        session_factory,
        "Invoices are typed in by hand",
        reporters=3,
        reports_per_reporter=8,
        days_ago=[3 + 7 * n for n in range(8)],
        now=NOW,
    )

    ThemeCorrections(session_factory, min_reporters=3).merge(
        into=other.theme_id, others=[theme.theme_id], actor="UMANAGER"
    )

    after = pilots.get(pilot.id)
    assert after is not None and after.theme_id == other.theme_id
    # The merged theme's reports count: the KPI does not fall to zero.
    assert after.kpis[0].baseline is not None and after.kpis[0].baseline > 2.0
    with session_factory() as session:
        pulse = session.scalars(
            select(NudgeCampaign).where(NudgeCampaign.lessons.is_not(None))
        ).all()[-1]
        assert pulse.lessons == [f"pulse:{pilot.id}"]
        assert f"theme:{other.theme_id}" in pulse.audience
        assert f"theme:{theme.theme_id}" not in pulse.audience
