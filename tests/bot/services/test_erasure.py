"""Forget me: erasing one person removes every row that names or pseudonymises them — under
every team key they could have had — and leaves everyone else's rows and counts alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from bot.app import build_nudge_service
from bot.db.base import Base
from bot.db.models import PainPoint, Theme
from bot.db.nudge_models import (
    NudgeCampaign,
    NudgeDelivery,
    NudgeFeedback,
    NudgeRecipient,
    NudgeRun,
)
from bot.db.pilot_models import Pilot, PilotPulseAnswer
from bot.db.session import SessionFactory
from bot.domain.capture import PainPointInput
from bot.privacy.pseudonym import reporter_pseudonym
from bot.services.capture import CaptureService
from bot.services.erasure import ErasureService
from bot.services.insights import ThemeInsights
from bot.settings import Settings
from tests.bot.nudge_parts import LESSON
from tests.bot.reporting.factories import add_painpoint, add_theme
from tests.conftest import SECRET_KEY
from tests.stored import scrubbed

PERSON, OTHER, THIRD = "U100", "U200", "U300"
ORG, WORKSPACE = "E:E1", "T1"
NOW = datetime.now(UTC)


def pseudonyms_of(user: str) -> set[str]:
    keys = [ORG, WORKSPACE, "T0", "T9"]
    found = {reporter_pseudonym(SECRET_KEY, key, user) for key in keys}
    return found | {reporter_pseudonym(SECRET_KEY, "import", user.casefold())}


def mentions(session_factory: SessionFactory, user: str) -> dict[str, list[str]]:
    """Every row of every table that holds the user's Slack id or one of their pseudonyms."""
    needles = {user, *pseudonyms_of(user)}
    found: dict[str, list[str]] = {}
    with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                dumped = json.dumps(
                    {key: value for key, value in row.items() if not isinstance(value, bytes)},
                    default=str,
                )
                if any(needle in dumped for needle in needles):
                    found.setdefault(table.name, []).append(dumped)
    return found


@dataclass
class World:
    theme_id: int
    deliveries: dict[str, int]
    pilot_id: int


def capture(session_factory: SessionFactory) -> CaptureService:
    return CaptureService(session_factory, secret_key=SECRET_KEY)


def add_delivery(session: Any, campaign_id: int, run_id: int, user: str) -> int:
    row = NudgeDelivery(
        run_id=run_id,
        campaign_id=campaign_id,
        lesson_id=LESSON,
        recipient=user,
        due_at=NOW,
        status="sent",
        channel="D" + user[1:],
        ts="1700000000.000100",
        sent_at=NOW,
    )
    session.add(row)
    session.flush()
    return row.id


def build_world(session_factory: SessionFactory, settings: Settings) -> World:
    """The person and another one, each with something of every kind."""
    theme_id = add_theme(session_factory, "Invoices by hand")
    reports = capture(session_factory)
    for user in (PERSON, OTHER):
        # Today's key (the org), and a report from before reporters were keyed by org.
        reports.record(
            team_id=ORG,
            user_id=user,
            submission=PainPointInput(
                text=f"Invoices typed by hand ({user})", source="slash", keep_posted=True
            ),
        )
        reports.record(
            team_id=WORKSPACE,
            user_id=user,
            submission=PainPointInput(text=f"The VPN drops every hour ({user})", source="dm"),
        )
        # A survey import whose reporter column held the Slack id.
        add_painpoint(
            session_factory,
            text="Approvals wait a week",
            reporter=reporter_pseudonym(SECRET_KEY, "import", user.casefold()),
        )
    add_painpoint(session_factory, text="Invoices again", reporter="someone-else")
    scrubbed(session_factory)
    with session_factory() as session, session.begin():
        for row in session.scalars(select(PainPoint)):
            row.theme_id = theme_id
        theme = session.get(Theme, theme_id)
        assert theme is not None
        theme.size, theme.reporters = 7, 7

    nudges = build_nudge_service(settings, session_factory)
    with session_factory() as session, session.begin():
        campaign = NudgeCampaign(
            lessons=[LESSON],
            lesson_id=LESSON,
            audience=[PERSON, OTHER, f"theme:{theme_id}"],
            schedule={},
            created_by="UTRAINER",
        )
        session.add(campaign)
        session.flush()
        run = NudgeRun(campaign_id=campaign.id, run_key="r1", lesson_id=LESSON, expand_at=NOW)
        session.add(run)
        session.flush()
        deliveries = {
            user: add_delivery(session, campaign.id, run.id, user) for user in (PERSON, OTHER)
        }
        session.add(NudgeRecipient(user_id=PERSON, tz="Europe/Berlin", im_channel="D100"))
        session.add(NudgeRecipient(user_id=OTHER, tz="Europe/Paris", im_channel="D200"))
        pilot = Pilot(
            theme_id=theme_id,
            theme_title="Invoices by hand",
            owner="UMANAGER",
            objective="Try a supplier portal",
            start_date=date.today(),
            end_date=date.today() + timedelta(weeks=8),
            participants=[PERSON, OTHER, "SGROUP"],
            created_by="UMANAGER",
        )
        session.add(pilot)
        session.flush()
        for user in (PERSON, OTHER):
            session.add(
                PilotPulseAnswer(
                    delivery_id=deliveries[user],
                    pilot_id=pilot.id,
                    respondent=reporter_pseudonym(SECRET_KEY, ORG, user),
                    hours=2.0,
                    week=date.today(),
                )
            )
        pilot_id = pilot.id
    for user in (PERSON, OTHER):
        nudges.give_feedback(deliveries[user], user, "helpful", team_id=ORG)
        nudges.give_feedback(deliveries[user], user, "done", team_id=ORG)
        nudges.concerns.record(
            team_id=ORG, user_id=user, text=f"Will this replace me? ({user})", topic="job_security"
        )
        nudges.concerns.record(
            team_id=WORKSPACE,
            user_id=user,
            text=f"Who reads what we paste? ({user})",
            topic="data_privacy",
            share_name=True,
        )
    return World(theme_id=theme_id, deliveries=deliveries, pilot_id=pilot_id)


def test_erasing_by_user_id_alone_removes_every_row_that_names_or_pseudonymises_them(
    session_factory: SessionFactory, settings: Settings
) -> None:
    world = build_world(session_factory, settings)
    erasure = ErasureService(session_factory, secret_key=SECRET_KEY)
    # What requests noted: the org and the workspace (see bot.listeners.scopes).
    erasure.note_scopes([ORG, WORKSPACE])
    assert mentions(session_factory, PERSON)
    others_before = mentions(session_factory, OTHER)

    # As `painpoint erase --user U100`: no team given, the stored keys are enough.
    report = erasure.erase(PERSON)

    assert mentions(session_factory, PERSON) == {}
    assert (report.painpoints, report.concerns, report.feedback, report.deliveries) == (3, 2, 1, 1)
    assert report.extra == {"pilot participations": 1, "pilot pulse answers": 1}
    assert report.nudge_settings == 1 and report.campaign_audiences == 1
    assert report.themes_recounted == 1
    # Everyone else keeps everything (their rows, their place in audiences and pilots).
    assert mentions(session_factory, OTHER).keys() == others_before.keys()
    with session_factory() as session:
        pilot = session.get(Pilot, world.pilot_id)
        campaign = session.scalars(select(NudgeCampaign)).one()
        delivery = session.get(NudgeDelivery, world.deliveries[PERSON])
        theme = session.get(Theme, world.theme_id)
        feedback = session.scalars(select(NudgeFeedback)).all()
    assert pilot is not None and pilot.participants == [OTHER, "SGROUP"]
    assert campaign.audience == [OTHER, f"theme:{world.theme_id}"]
    # The sent nudge still counts as delivered, without anything that leads to the person.
    assert delivery is not None and delivery.status == "sent"
    assert (delivery.recipient, delivery.channel, delivery.ts) == (
        f"erased:{delivery.id}",
        None,
        None,
    )
    assert [f.delivery_id for f in feedback] == [world.deliveries[OTHER]]
    assert theme is not None and (theme.size, theme.reporters) == (4, 4)


def test_counts_in_reports_recompute_without_the_person(
    session_factory: SessionFactory, settings: Settings
) -> None:
    world = build_world(session_factory, settings)
    insights = ThemeInsights(session_factory, min_reporters=1)
    before = next(t for t in insights.report(period="all").themes if t.id == world.theme_id)

    ErasureService(session_factory, secret_key=SECRET_KEY).erase(PERSON, team_keys=[ORG, WORKSPACE])

    after = next(t for t in insights.report(period="all").themes if t.id == world.theme_id)
    # Each person is three pseudonyms here (org, workspace, import), so seven "people".
    assert (before.size, before.reporters) == (7, 7)
    assert (after.size, after.reporters) == (4, 4)
    assert not any(PERSON in quote for quote in after.quotes)


def test_a_dry_run_counts_exactly_what_erasing_removes_and_changes_nothing(
    session_factory: SessionFactory, settings: Settings
) -> None:
    build_world(session_factory, settings)
    erasure = ErasureService(session_factory, secret_key=SECRET_KEY)
    erasure.note_scopes([ORG, WORKSPACE])
    before = mentions(session_factory, PERSON)

    preview = erasure.erase(PERSON, dry_run=True)

    assert preview.dry_run and preview.total > 0
    assert mentions(session_factory, PERSON) == before
    done = erasure.erase(PERSON)
    assert (done.total, done.lines()) == (preview.total, preview.lines())
    assert erasure.erase(PERSON).total == 0  # nothing left the second time


def test_a_team_key_never_noted_is_found_when_given(session_factory: SessionFactory) -> None:
    reports = capture(session_factory)
    reports.record(
        team_id="T9", user_id=PERSON, submission=PainPointInput(text="Old report", source="slash")
    )
    erasure = ErasureService(session_factory, secret_key=SECRET_KEY)

    assert erasure.erase(PERSON).painpoints == 0  # T9 was never noted
    assert erasure.erase(PERSON, team_keys=["T9"]).painpoints == 1


def test_imports_under_another_reporter_value_are_found_when_given(
    session_factory: SessionFactory,
) -> None:
    add_painpoint(
        session_factory,
        text="Timesheets twice",
        reporter=reporter_pseudonym(SECRET_KEY, "import", "ann@example.com"),
    )
    erasure = ErasureService(session_factory, secret_key=SECRET_KEY)
    assert erasure.erase(PERSON).painpoints == 0
    report = erasure.erase(PERSON, import_reporters=[" Ann@Example.com "])
    assert report.painpoints == 1


def test_a_pause_outlives_the_erasure_so_nudges_do_not_resume(
    session_factory: SessionFactory,
) -> None:
    with session_factory() as session, session.begin():
        session.add(
            NudgeRecipient(user_id=PERSON, tz="Europe/Berlin", im_channel="D100", paused=True)
        )
        session.add(NudgeRecipient(user_id=OTHER, tz="Europe/Paris", paused=False))
        session.add(NudgeRecipient(user_id=THIRD, tz="Asia/Tokyo", paused=False))

    erasure = ErasureService(session_factory, secret_key=SECRET_KEY)
    erasure.erase(PERSON)
    erasure.erase(OTHER)

    with session_factory() as session:
        rows = {row.user_id: row for row in session.scalars(select(NudgeRecipient))}
    assert set(rows) == {PERSON, THIRD}
    kept = rows[PERSON]
    assert kept.paused and (kept.tz, kept.im_channel, kept.tz_checked_at) == (None, None, None)


def test_scopes_are_written_once_and_name_nobody(session_factory: SessionFactory) -> None:
    erasure = ErasureService(session_factory, secret_key=SECRET_KEY)
    for _ in range(3):
        erasure.note_scopes([ORG, WORKSPACE, ""])
    ErasureService(session_factory, secret_key=SECRET_KEY).note_scopes([ORG])  # another process
    with session_factory() as session:
        stored = sorted(session.scalars(text("SELECT scope FROM pseudonym_scopes")))
    assert stored == [ORG, WORKSPACE]
    assert erasure.scopes() == {ORG, WORKSPACE, "T0"}
