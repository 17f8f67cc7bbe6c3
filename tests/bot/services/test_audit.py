"""The prioritised audit in the report: shortlist, lenses, teams, pilots, training — and the
minimum-reporter rule on every new number."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from bot.db.nudge_models import NudgeCampaign, NudgeDelivery, NudgeRun
from bot.db.session import SessionFactory
from bot.domain.pilots import PilotDraft, parse_kpi
from bot.domain.themes import Suggestion
from bot.reporting.report import render
from bot.services.insights import ThemeInsights
from bot.services.pilots import PilotService
from tests.bot.reporting.checks import assert_absent
from tests.bot.reporting.factories import seed_theme

NOW = datetime(2026, 6, 3, 12, tzinfo=UTC)
SECRET_TITLE = "Complaint about Bob in payroll"


def seed(session_factory: SessionFactory) -> dict[str, int]:
    invoices = seed_theme(
        session_factory,
        "Invoices typed in by hand",
        reporters=5,
        reports_per_reporter=3,
        days_ago=[2, 9, 16, 23, 30, 37, 44, 51],
        now=NOW,
        hours=4.0,
        category="repetitive_task",
        team="Finance",
    )
    vpn = seed_theme(
        session_factory,
        "VPN drops every hour",
        reporters=["v1", "v2", "v3", "v4"],
        now=NOW,
        hours=None,
        category=None,
        team=["IT", "IT", "IT", "Design"],
    )
    # Only two of the four VPN reporters give hours: no estimate may be shown.
    seed_theme(
        session_factory,
        "VPN drops every hour",
        reporters=["v1", "v2"],
        now=NOW,
        hours=8.0,
        team="IT",
        theme_id=vpn.theme_id,
    )
    seed_theme(
        session_factory,
        SECRET_TITLE,
        reporters=["b1", "b2"],
        reports_per_reporter=6,
        now=NOW,
        hours=20.0,
        category="customer_facing",
        team="Payroll",
    )
    return {"invoices": invoices.theme_id, "vpn": vpn.theme_id}


def report_json(session_factory: SessionFactory, teams: tuple[str, ...] = ()) -> dict:  # type: ignore[type-arg]
    insights = ThemeInsights(session_factory, min_reporters=3, clock=lambda: NOW, teams=teams)
    return json.loads(render(insights.report(period="all", with_history=True), "json"))


def test_priorities_rank_by_impact_and_hide_hours_from_fewer_than_k(
    session_factory: SessionFactory,
) -> None:
    ids = seed(session_factory)

    document = report_json(session_factory)

    first, second = document["priorities"]
    assert (first["theme_id"], first["impact_hours_per_week"]) == (ids["invoices"], 20.0)
    assert (first["people"], first["people_with_hours"]) == (5, 5)
    assert (second["theme_id"], second["impact_hours_per_week"]) == (ids["vpn"], None)
    assert (second["people"], second["people_with_hours"]) == (4, 2)
    assert document["shortlist"] == [ids["invoices"], ids["vpn"]]
    assert document["pilot_candidates"] == [ids["invoices"], ids["vpn"]]
    assert document["summary"]["hours_per_week"] == 20.0, "hours of two VPN people stay hidden"
    assert_absent(json.dumps(document), [SECRET_TITLE, "Payroll", "b1", "20.0 h", "Bob"])


def test_participation_names_big_and_configured_teams_only(session_factory: SessionFactory) -> None:
    seed(session_factory)

    teams = report_json(session_factory, teams=("Finance", "Design", "Legal"))["participation"]

    rows = {row["label"]: (row["reports"], row["people"]) for row in teams}
    assert rows["Finance"] == (15, 5)
    assert rows["IT"] == (5, 3)
    assert rows["Design"] == rows["Legal"] == (None, None), "1 and 0 people look alike"
    assert rows["other teams"] == (None, None)
    assert "Payroll" not in rows


def test_lens_rows_hide_small_slices_and_add_up(session_factory: SessionFactory) -> None:
    seed(session_factory)

    document = report_json(session_factory)

    lenses = {row["label"]: row for row in document["lens_sections"]}
    assert lenses["Repetitive tasks"]["reports"] == 15
    assert lenses["Customer pain points"]["hidden"] is True
    assert lenses["Customer pain points"]["reports"] is None
    assert lenses["Not yet classified"]["reports"] == 6
    hidden = 12
    assert (
        sum(row["reports"] or 0 for row in lenses.values()) + hidden
        == document["summary"]["painpoints"]
    )


def test_pilots_and_their_kpis_are_in_the_report(session_factory: SessionFactory) -> None:
    ids = seed(session_factory)
    pilots = PilotService(session_factory, min_reporters=3, clock=lambda: NOW)
    pilot = pilots.create(
        PilotDraft(
            theme_id=ids["invoices"],
            owner="UOWNER",
            objective="Supplier portal",
            kpis=(parse_kpi("reports"), parse_kpi("hours")),
            start=date(2026, 6, 1),
            end=date(2026, 7, 31),
            targets={"reports": 0.5},
        ),
        created_by="UMANAGER",
    )

    document = report_json(session_factory)

    [record] = document["pilots"]
    assert record["id"] == pilot.id and record["status"] == "running"
    reports = record["kpis"][0]
    assert {"name", "unit", "baseline", "current", "target"} <= set(reports)
    assert reports["target"] == 0.5
    assert document["priorities"][0]["pilot"] == pilot.id
    assert document["pilot_candidates"] == [ids["vpn"]]
    insights = ThemeInsights(session_factory, min_reporters=3, clock=lambda: NOW)
    html = render(insights.report(period="all", with_history=True), "html")
    assert f"Pilot #{pilot.id}" in html and '<svg class="kpi"' in html


def test_did_training_help_shows_weekly_reports_before_and_after_the_send(
    session_factory: SessionFactory,
) -> None:
    ids = seed(session_factory)
    sent_at = NOW - timedelta(days=20)
    sent_lesson(session_factory, "keep-data-safe", [f"theme:{ids['invoices']}"], sent_at)

    [effect] = report_json(session_factory)["training"]

    assert effect["theme_id"] == ids["invoices"] and effect["lesson"] == "keep-data-safe"
    assert effect["before_weeks"] == 8 and effect["after_weeks"] == 2
    # 9 reports in the 8 weeks before; after, 4 reports from only 2 people: not shown.
    assert effect["before_per_week"] == 1.1
    assert (effect["after_per_week"], effect["after_note"]) == (
        None,
        "fewer than 3 people reported",
    )


def test_a_matching_lesson_sent_to_everyone_counts_for_its_theme(
    session_factory: SessionFactory,
) -> None:
    ids = seed(session_factory)
    sent_lesson(session_factory, "automate-invoice-entry", ["CALLSTAFF"], NOW - timedelta(days=20))
    sent_lesson(session_factory, "unrelated-lesson", ["CALLSTAFF"], NOW - timedelta(days=10))
    asked: list[list[int]] = []

    def matches(theme_ids: Sequence[int]) -> dict[int, list[Suggestion]]:
        asked.append(list(theme_ids))
        return {ids["invoices"]: [Suggestion("automate-invoice-entry", "Automate it", 0.6)]}

    insights = ThemeInsights(
        session_factory, min_reporters=3, clock=lambda: NOW, lesson_matches=matches
    )
    report = json.loads(render(insights.report(period="all", with_history=True), "json"))

    [effect] = report["training"]
    assert (effect["theme_id"], effect["lesson"]) == (ids["invoices"], "automate-invoice-entry")
    assert effect["before_weeks"] == 8 and effect["after_weeks"] == 2
    assert asked == [sorted(ids.values())]  # shown themes only: never the small one
    # Without matches a lesson sent to everyone belongs to no theme.
    assert report_json(session_factory)["training"] == []


def sent_lesson(
    session_factory: SessionFactory, lesson: str, audience: list[str], sent_at: datetime
) -> None:
    """A campaign of one lesson, delivered once at `sent_at`."""
    with session_factory() as session, session.begin():
        campaign = NudgeCampaign(
            lessons=[lesson],
            lesson_id=lesson,
            audience=audience,
            schedule={},
            created_by="UTRAINER",
        )
        session.add(campaign)
        session.flush()
        run = NudgeRun(
            campaign_id=campaign.id, run_key=f"r-{lesson}", lesson_id=lesson, expand_at=sent_at
        )
        session.add(run)
        session.flush()
        session.add(
            NudgeDelivery(
                run_id=run.id,
                campaign_id=campaign.id,
                lesson_id=lesson,
                recipient="U1",
                due_at=sent_at,
                status="sent",
                sent_at=sent_at,
            )
        )
