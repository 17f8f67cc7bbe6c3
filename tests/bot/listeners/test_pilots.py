"""Scenario: a pilot's whole life through signed Slack requests and the command line.

History imported with its dates gives the baseline; a manager starts the pilot from the
digest; pulses go out through the outbox and are answered; the owner logs a custom value;
closing it sends one DM to each participant and opted-in reporter — and to nobody else.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import cli
from bot.blocks import ids
from bot.blocks.pilots import BASELINE, NAME, TARGET, UNIT, block_id
from bot.db.models import Theme
from bot.db.nudge_models import NudgeCampaign
from bot.db.pilot_models import Pilot
from bot.db.session import SessionFactory
from bot.domain.occurrences import next_expansion
from bot.domain.schedule import Schedule
from bot.settings import Settings
from tests.bot.outbox import Outbox, outbox
from tests.bot.reporting.factories import Seeded, seed_theme
from tests.slack_requests import Sender, block_action, drain, response_json, view_submission
from tests.slack_stand_in import SlackStandIn

OPTED_IN = {"r-keep-1": "UREP1", "r-keep-2": "UREP2"}
PARTICIPANTS = {"UPART1", "UPART2", "UPART3"}  # UPART3 through the user group SPART


@pytest.fixture
def sending(
    settings: Settings, session_factory: SessionFactory, stand_in: SlackStandIn
) -> Iterator[Outbox]:
    built = outbox(settings, session_factory, stand_in)
    yield built
    built.close()


def history(session_factory: SessionFactory) -> Seeded:
    """Four reporters (two asked to be kept posted), two reports a week for eight weeks."""
    monday = date.today() - timedelta(days=date.today().weekday())
    return seed_theme(
        session_factory,
        "Expense approvals wait for days",
        reporters=["r-keep-1", "r-keep-2", "r-quiet-1", "r-quiet-2"],
        reports_per_reporter=4,
        days_ago=[1 + 3.5 * n for n in range(16)],
        now=datetime.combine(monday, time(0), UTC),
        hours=3.0,
        keep_posted=OPTED_IN,
    )


def click(sender: Sender, stand_in: SlackStandIn, action: str, value: str, user: str) -> None:
    payload = block_action(action, value, user=user, response_url=stand_in.response_url(user))
    assert sender.interactive(payload).status == 200
    drain(sender.app)  # buttons are acknowledged first; let the listener finish


def last_view(stand_in: SlackStandIn, method: str = "views.open") -> dict[str, Any]:
    view = stand_in.calls_to(method)[-1].params["view"]
    return view if isinstance(view, dict) else json.loads(view)


def pilot_command(sender: Sender, stand_in: SlackStandIn, text_: str, user: str) -> None:
    """`/painpoint <text_>`: acknowledged at once (empty), answered through response_url."""
    response = sender.command(text_, user=user, response_url=stand_in.response_url(user))
    assert response.status == 200 and not response.body
    drain(sender.app)


def responses(stand_in: SlackStandIn) -> list[str]:
    return [str(call.params.get("text")) for call in stand_in.calls_to("response_url")]


def text(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def number(value: float | None) -> dict[str, Any]:
    return {"value": {"type": "number_input", "value": None if value is None else str(value)}}


def pilot_values(start: date, end: date, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        ids.B_PILOT_OBJECTIVE: text("Expenses under 100 EUR are approved automatically"),
        ids.B_PILOT_OWNER: {"value": {"type": "users_select", "selected_user": "UOWNER"}},
        ids.B_PILOT_KPIS: {
            "value": {
                "type": "checkboxes",
                "selected_options": [{"value": "reports"}, {"value": "hours"}],
            }
        },
        block_id(ids.B_PILOT_REPORTS, BASELINE): number(2.0),
        block_id(ids.B_PILOT_REPORTS, TARGET): number(0.5),
        block_id(ids.B_PILOT_HOURS, BASELINE): number(None),
        block_id(ids.B_PILOT_HOURS, TARGET): number(1.0),
        block_id(ids.B_PILOT_CUSTOM, NAME): text("approval time"),
        block_id(ids.B_PILOT_CUSTOM, UNIT): text("days"),
        block_id(ids.B_PILOT_CUSTOM, BASELINE): number(6.0),
        block_id(ids.B_PILOT_CUSTOM, TARGET): number(1.0),
        ids.B_PILOT_START: {"value": {"type": "datepicker", "selected_date": start.isoformat()}},
        ids.B_PILOT_END: {"value": {"type": "datepicker", "selected_date": end.isoformat()}},
        ids.B_PILOT_PEOPLE: {
            "value": {"type": "multi_users_select", "selected_users": ["UPART1", "UPART2"]}
        },
        ids.B_PILOT_GROUPS: text("SPART"),
        ids.B_PILOT_REPORTERS: {
            "value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}
        },
        ids.B_PILOT_PULSE: {
            "value": {"type": "static_select", "selected_option": {"value": "weekly"}}
        },
    }
    values.update(changes)
    return values


def start_pilot(
    sender: Sender, stand_in: SlackStandIn, theme_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Click "Start a pilot" in the digest and submit the form; returns (form, values)."""
    click(sender, stand_in, ids.PILOT_START, str(theme_id), "UMANAGER")
    form = last_view(stand_in)
    assert form["callback_id"] == ids.PILOT_MODAL
    today = date.today()
    values = pilot_values(today, today + timedelta(weeks=6))
    response = sender.interactive(view_submission(form, values, user="UMANAGER"))
    assert response_json(response)["response_action"] == "update", response.body
    return form, values


def cli_pilot(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    pilot_id: int,
) -> dict[str, Any]:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PAINPOINT_SECRET_KEY", settings.secret_key or "")
    capsys.readouterr()
    assert cli.main(["pilots", "show", str(pilot_id), "--format", "json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def pilot_id_of(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return int(session.scalars(select(Pilot.id)).one())


def test_a_pilots_whole_life(
    sender: Sender,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    sending: Outbox,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stand_in.usergroups["SPART"] = ["UPART3"]
    theme = history(session_factory)

    # The form is prefilled from history; a replayed submission starts nothing twice.
    form, values = start_pilot(sender, stand_in, theme.theme_id)
    prefilled = {b["block_id"]: b for b in form["blocks"] if "block_id" in b}
    assert prefilled[block_id(ids.B_PILOT_REPORTS, BASELINE)]["element"]["initial_value"] == "2"
    assert prefilled[block_id(ids.B_PILOT_HOURS, BASELINE)]["element"]["initial_value"] == "3"
    replay = sender.interactive(view_submission(form, values, user="UMANAGER"))
    assert "already started" in json.dumps(response_json(replay))
    pilot_id = pilot_id_of(session_factory)
    with session_factory() as session:
        assert session.get(Theme, theme.theme_id).status == "piloting"  # type: ignore[union-attr]

    # The start message goes to participants and opted-in reporters, once each.
    sending.send_due()
    assert sending.dms(f"pilot-start:{pilot_id}") == dict.fromkeys(
        PARTICIPANTS | {"UREP1", "UREP2"}, 1
    )

    # The first weekly pulse, at 15:00 in each participant's own time zone.
    with session_factory() as session:
        pilot = session.get(Pilot, pilot_id)
        assert pilot is not None
        campaign = session.get(NudgeCampaign, pilot.pulse_campaign_id)
        assert campaign is not None
        schedule = Schedule.from_dict(campaign.schedule)
    first = next_expansion(schedule, None)
    assert first is not None
    pulse_time = (first + timedelta(hours=14)).replace(tzinfo=UTC)
    sending.send_due(pulse_time + timedelta(hours=1))
    pulses = {d.recipient: d for d in sending.deliveries(f"pulse:{pilot_id}")}
    assert set(pulses) == PARTICIPANTS | {"UREP1", "UREP2"}
    assert all(
        d.status == "sent" and d.due_at.replace(tzinfo=UTC) == pulse_time for d in pulses.values()
    )

    # Two answers: too few people to show; a third makes the number appear.
    for user, bucket in (("UPART1", "0-1"), ("UPART2", "1-3")):
        click(sender, stand_in, f"{ids.PULSE_PREFIX}{bucket}", f"{pulses[user].id}:{bucket}", user)
    assert cli_pilot(capsys, monkeypatch, settings, pilot_id)["kpis"][1]["current"] is None
    click(sender, stand_in, f"{ids.PULSE_PREFIX}none", f"{pulses['UPART1'].id}:none", "URANDOM")
    assert "not one of yours" in responses(stand_in)[-1]
    click(sender, stand_in, f"{ids.PULSE_PREFIX}0-1", f"{pulses['UREP1'].id}:0-1", "UREP1")
    assert len(stand_in.calls_to("chat.update")) == 3

    # The owner (not a manager) logs a custom value; somebody else may not.
    pilot_command(sender, stand_in, f"pilot log {pilot_id} approval time 2", "UOWNER")
    assert "Logged 2 days" in responses(stand_in)[-1]
    pilot_command(sender, stand_in, f"pilot log {pilot_id} approval time 1", "URANDOM")
    assert "Sorry, that is for managers" in responses(stand_in)[-1]

    shown = cli_pilot(capsys, monkeypatch, settings, pilot_id)
    reports, hours, custom = shown["kpis"]
    assert (reports["baseline"], reports["target"]) == (2.0, 0.5)
    assert (hours["baseline"], hours["current"], hours["target"]) == (3.0, 0.5, 1.0)
    assert (custom["name"], custom["baseline"], custom["current"]) == ("approval time", 6.0, 2.0)

    # The owner closes it from the pilot view; a replay closes nothing twice.
    click(sender, stand_in, ids.PILOT_CLOSE, str(pilot_id), "UOWNER")
    close_form = last_view(stand_in)
    close_values = {
        ids.B_PILOT_VERDICT: {
            "value": {"type": "static_select", "selected_option": {"value": "scale"}}
        },
        ids.B_PILOT_NOTE: text("Approval time fell from six days to two"),
    }
    closed = sender.interactive(view_submission(close_form, close_values, user="UOWNER"))
    assert response_json(closed)["response_action"] == "update"
    sender.interactive(view_submission(close_form, close_values, user="UOWNER"))
    sending.send_due()
    sending.send_due()

    told = sending.dms(f"pilot-close:{pilot_id}")
    assert told == dict.fromkeys(PARTICIPANTS | {"UREP1", "UREP2"}, 1)
    closing = [
        m
        for c in stand_in.calls_to("chat.postMessage")
        for m in [c.params]
        if (m.get("metadata") or {}).get("event_payload", {}).get("lesson_id")
        == f"pilot-close:{pilot_id}"
    ]
    assert "Expenses under 100 EUR are approved automatically" in closing[0]["text"]
    assert "Scale" in closing[0]["text"] and "six days to two" in closing[0]["text"]
    with session_factory() as session:
        assert session.get(Theme, theme.theme_id).status == "addressed"  # type: ignore[union-attr]
    later = pulse_time + timedelta(weeks=1, hours=1)
    sending.send_due(later)
    assert len(sending.deliveries(f"pulse:{pilot_id}")) == 5, "no pulses after the close"


@pytest.mark.parametrize(
    ("action", "value"),
    [
        (ids.PILOT_START, "{theme}"),
        (ids.PILOT_VIEW, "{pilot}"),
        (ids.PILOT_CLOSE, "{pilot}"),
        (ids.PILOT_EDIT, "{pilot}"),
    ],
)
def test_buttons_refuse_non_managers_without_showing_data(
    sender: Sender,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    action: str,
    value: str,
) -> None:
    theme = history(session_factory)
    start_pilot(sender, stand_in, theme.theme_id)
    pilot_id = pilot_id_of(session_factory)
    opened = len(stand_in.calls_to("views.open"))

    click(sender, stand_in, action, value.format(theme=theme.theme_id, pilot=pilot_id), "UEMPLOYEE")

    assert "Sorry, that is for managers" in responses(stand_in)[-1]
    assert len(stand_in.calls_to("views.open")) == opened
    assert "Expense" not in responses(stand_in)[-1]


def test_submissions_and_commands_refuse_non_managers(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    theme = history(session_factory)
    click(sender, stand_in, ids.PILOT_START, str(theme.theme_id), "UMANAGER")
    form = last_view(stand_in)
    today = date.today()

    response = sender.interactive(
        view_submission(form, pilot_values(today, today + timedelta(weeks=2)), user="UEMPLOYEE")
    )

    assert response_json(response)["errors"] == {
        ids.B_PILOT_OBJECTIVE: "Only managers can start pilots."
    }
    for text_ in ("pilots", "pilot 1", "pilot log 1 approval time 3"):
        pilot_command(sender, stand_in, text_, "UEMPLOYEE")
        assert "Sorry, that is for managers" in responses(stand_in)[-1]


def test_the_form_keeps_bad_dates_in_the_form(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    theme = history(session_factory)
    click(sender, stand_in, ids.PILOT_START, str(theme.theme_id), "UMANAGER")
    today = date.today()

    response = sender.interactive(
        view_submission(
            last_view(stand_in), pilot_values(today, today - timedelta(days=1)), user="UMANAGER"
        )
    )

    errors = response_json(response)["errors"]
    assert "is before the start" in errors[ids.B_PILOT_END]


def test_the_digest_and_the_theme_details_offer_a_pilot(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    theme = history(session_factory)

    sender.command("digest all", user="UMANAGER", response_url=stand_in.response_url("UMANAGER"))
    drain(sender.app)
    blocks = stand_in.calls_to("response_url")[-1].params["blocks"]
    buttons = [e for b in blocks if b.get("type") == "actions" for e in b["elements"]]
    assert any(
        e["action_id"] == ids.PILOT_START and e["value"] == str(theme.theme_id) for e in buttons
    )

    click(sender, stand_in, ids.THEME_DETAILS, str(theme.theme_id), "UMANAGER")
    details = last_view(stand_in)
    pilot_buttons = [e for b in details["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert pilot_buttons[0]["action_id"] == ids.PILOT_START
