"""Scenario tests: every manager and trainer read of data is in the read audit — who, which
surface, what, when — and a refused request leaves no entry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from slack_bolt import App

from bot.blocks import ids
from bot.db.pilot_models import Pilot
from bot.db.session import SessionFactory
from bot.domain.privacy import READ_SURFACES
from bot.services.audit_log import ReadAuditLog
from tests.bot.reporting.checks import UploadRecordingStandIn
from tests.bot.reporting.factories import Seeded, seed_theme
from tests.slack_requests import Sender, block_action, drain, slash_body


@pytest.fixture
def stand_in() -> Iterator[UploadRecordingStandIn]:
    server = UploadRecordingStandIn().start()
    yield server
    server.stop()


def reads(session_factory: SessionFactory) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (entry.actor, entry.surface, entry.detail)
        for entry in ReadAuditLog(session_factory).entries()
    ]


def seed(session_factory: SessionFactory) -> Seeded:
    return seed_theme(session_factory, "Expense approvals wait", reporters=3, days_ago=[1, 2, 3])


def command(
    sender: Sender, app: App, stand_in: UploadRecordingStandIn, text: str, user: str, **kw: Any
) -> None:
    response = sender.command(text, user=user, response_url=stand_in.response_url(user), **kw)
    assert response.status == 200
    drain(app)


def click(
    sender: Sender, app: App, stand_in: UploadRecordingStandIn, action: str, value: str
) -> None:
    payload = block_action(
        action, value, user="UMANAGER", response_url=stand_in.response_url("UMANAGER")
    )
    assert sender.interactive(payload).status == 200
    drain(app)


def test_digest_pages_details_and_report_are_recorded(
    sender: Sender, app: App, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    theme = seed(session_factory)

    command(sender, app, stand_in, "digest 30d", "UMANAGER")
    page = json.dumps({"period": "30d", "team": None, "page": 1})
    click(sender, app, stand_in, ids.DIGEST_SHOW_MORE, page)
    click(sender, app, stand_in, ids.THEME_DETAILS, str(theme.theme_id))
    command(sender, app, stand_in, "report all", "UMANAGER")

    assert reads(session_factory) == [
        ("UMANAGER", "digest", {"period": "30d"}),
        ("UMANAGER", "digest", {"period": "30d", "page": 1}),
        ("UMANAGER", "theme_details", {"theme": theme.theme_id}),
        ("UMANAGER", "report", {"period": "all"}),
    ]
    assert stand_in.uploads, "the report itself was sent"


def test_trainers_reads_of_concerns_and_stats_are_recorded(
    sender: Sender, app: App, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    command(sender, app, stand_in, "concerns", "UTRAINER", command="/nudge")
    command(sender, app, stand_in, "stats 99", "UTRAINER", command="/nudge")  # no such campaign
    command(sender, app, stand_in, "list", "UTRAINER", command="/nudge")

    assert reads(session_factory) == [("UTRAINER", "concerns", {"groups": 0})]


def test_pilot_views_are_recorded(
    sender: Sender, app: App, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    theme = seed(session_factory)
    with session_factory() as session, session.begin():
        pilot = Pilot(
            theme_id=theme.theme_id,
            theme_title=theme.title,
            owner="UMANAGER",
            objective="Approve in Slack",
            start_date=date.today(),
            end_date=date.today() + timedelta(weeks=8),
            participants=[],
            created_by="UMANAGER",
        )
        session.add(pilot)
        session.flush()
        pilot_id = pilot.id

    command(sender, app, stand_in, "pilots", "UMANAGER")
    command(sender, app, stand_in, f"pilot {pilot_id}", "UMANAGER")
    click(sender, app, stand_in, ids.PILOT_VIEW, str(pilot_id))

    assert reads(session_factory) == [
        ("UMANAGER", "pilots", {"shown": 1}),
        ("UMANAGER", "pilot", {"pilot": pilot_id}),
        ("UMANAGER", "pilot", {"pilot": pilot_id}),
    ]


def test_a_replayed_command_is_acted_on_once(
    sender: Sender, app: App, stand_in: UploadRecordingStandIn, session_factory: SessionFactory
) -> None:
    # The same signed bytes again within Slack's five minutes: nobody asked twice.
    seed(session_factory)
    body = slash_body("report all", user="UMANAGER", response_url=stand_in.response_url("M"))
    for _ in range(2):
        assert sender.send(body, "application/x-www-form-urlencoded").status == 200
        drain(app)

    assert reads(session_factory) == [("UMANAGER", "report", {"period": "all"})]
    assert len(stand_in.calls_to("files.completeUploadExternal")) == 1


@pytest.mark.parametrize(
    ("text", "slash"),
    [("digest", "/painpoint"), ("report", "/painpoint"), ("concerns", "/nudge")],
)
def test_a_refused_read_leaves_no_entry(
    sender: Sender,
    app: App,
    stand_in: UploadRecordingStandIn,
    session_factory: SessionFactory,
    text: str,
    slash: str,
) -> None:
    seed(session_factory)
    command(sender, app, stand_in, text, "U100", command=slash)
    assert reads(session_factory) == []


def test_every_recorded_surface_has_a_readable_name() -> None:
    assert {"digest", "theme_details", "report", "concerns", "pilot", "cli_export"} <= set(
        READ_SURFACES
    )
    assert all(label for label in READ_SURFACES.values())
