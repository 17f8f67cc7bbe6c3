"""Pilot DMs through the outbox: exactly once under 429s and crashes, like nudges."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.blocks import ids
from bot.db.nudge_models import NudgeCampaign, NudgeDelivery
from bot.db.pilot_models import Pilot, PilotPulseAnswer
from bot.db.session import SessionFactory
from bot.domain.occurrences import next_expansion
from bot.domain.pilots import PilotDraft, parse_kpi
from bot.domain.schedule import Schedule
from bot.services.nudges import NudgeService
from bot.services.pilots import PilotService
from bot.settings import Settings
from tests.bot.outbox import Outbox, outbox
from tests.bot.reporting.factories import seed_theme
from tests.slack_requests import Sender, block_action, drain
from tests.slack_stand_in import SlackStandIn

MEMBERS = [f"UP{n:03d}" for n in range(30)]


@pytest.fixture
def sending(
    settings: Settings, session_factory: SessionFactory, stand_in: SlackStandIn
) -> Iterator[Outbox]:
    built = outbox(settings, session_factory, stand_in)
    yield built
    built.close()


def start(session_factory: SessionFactory, stand_in: SlackStandIn) -> tuple[int, datetime]:
    """A pilot for a user group of 30; returns its id and when its first pulse is due."""
    stand_in.usergroups["SPULSE"] = MEMBERS
    theme = seed_theme(session_factory, "Timesheets are entered twice", reporters=3)
    pilots = PilotService(session_factory, min_reporters=3)
    pilot = pilots.create(
        PilotDraft(
            theme_id=theme.theme_id,
            owner="UOWNER",
            objective="One timesheet tool",
            kpis=(parse_kpi("hours"),),
            start=date.today(),
            end=date.today() + timedelta(weeks=4),
            participants=("SPULSE",),
            include_reporters=False,
        ),
        created_by="UMANAGER",
    )
    with session_factory() as session:
        row = session.get(Pilot, pilot.id)
        assert row is not None
        campaign = session.get(NudgeCampaign, row.pulse_campaign_id)
        assert campaign is not None
        first = next_expansion(Schedule.from_dict(campaign.schedule), None)
    assert first is not None
    return pilot.id, (first + timedelta(hours=14)).replace(tzinfo=UTC)


def tap(sender: Sender, stand_in: SlackStandIn, delivery_id: int, user: str, bucket: str) -> None:
    """`user` taps `bucket` on the pulse of delivery `delivery_id` (a signed block action)."""
    payload = block_action(
        f"{ids.PULSE_PREFIX}{bucket}",
        f"{delivery_id}:{bucket}",
        user=user,
        response_url=stand_in.response_url(user),
    )
    assert sender.interactive(payload).status == 200
    drain(sender.app)


def pulses_in_history(stand_in: SlackStandIn, pilot_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for channel, messages in stand_in.history.items():
        for message in messages:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("lesson_id") == f"pulse:{pilot_id}":
                counts[channel] = counts.get(channel, 0) + 1
    return counts


def test_pulses_reach_each_participant_once_under_429s(
    session_factory: SessionFactory, stand_in: SlackStandIn, sending: Outbox
) -> None:
    pilot_id, due = start(session_factory, stand_in)
    sending.send_due()  # the start message
    stand_in.rate_limit_every["chat.postMessage"] = 4

    sending.runner.fire_all(due + timedelta(minutes=5))
    for _ in range(200):
        sending.dispatcher.dispatch(due + timedelta(minutes=5))
        if all(d.status == "sent" for d in sending.deliveries(f"pulse:{pilot_id}")):
            break

    assert pulses_in_history(stand_in, pilot_id) == {"D" + u[1:]: 1 for u in MEMBERS}
    calls = [
        c
        for c in stand_in.calls_to("chat.postMessage")
        if "cost you this week" in str(c.params.get("text"))
    ]
    assert len(calls) > len(MEMBERS), "some calls were refused with 429 and sent again"


def test_after_a_crash_a_pulse_already_in_the_dm_is_not_resent(
    session_factory: SessionFactory, stand_in: SlackStandIn, sending: Outbox
) -> None:
    pilot_id, due = start(session_factory, stand_in)
    sending.runner.fire_all(due + timedelta(minutes=5))
    deliveries = {d.recipient: d for d in sending.deliveries(f"pulse:{pilot_id}")}
    crashed = datetime.now(UTC) - timedelta(minutes=2)
    with session_factory() as session, session.begin():
        for user in ("UP000", "UP001"):
            # A process killed after marking these `sending`; UP000's post reached Slack.
            session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.id == deliveries[user].id)
                .values(status="sending", attempts=1, channel="D" + user[1:], sending_at=crashed)
            )
    stand_in.history["DP000"] = [
        {
            "ts": "1700000099.000100",
            "metadata": {
                "event_type": "painpoint_nudge",
                "event_payload": {"delivery_id": deliveries["UP000"].id},
            },
        }
    ]

    report = sending.dispatcher.recover(due + timedelta(minutes=5))

    assert (report.verified, report.sent) == (1, 1)
    posted = [c.params["channel"] for c in stand_in.calls_to("chat.postMessage")]
    assert posted == ["DP001"]


def test_paused_people_get_no_pulse_but_still_hear_how_the_pilot_ended(
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    sending: Outbox,
    settings: Settings,
) -> None:
    from bot.app import build_nudge_service

    nudges: NudgeService = build_nudge_service(settings, session_factory)
    nudges.set_paused("UP000", True)
    pilot_id, due = start(session_factory, stand_in)

    sending.send_due(due + timedelta(minutes=5))
    PilotService(session_factory, min_reporters=3).close(
        pilot_id, verdict="stop", note=None, actor="UOWNER"
    )
    sending.send_due()

    assert "DP000" not in pulses_in_history(stand_in, pilot_id)
    closing = sending.dms(f"pilot-close:{pilot_id}")
    assert closing == dict.fromkeys(MEMBERS, 1)


def test_a_pulse_that_was_never_sent_cannot_be_answered(
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    sending: Outbox,
    settings: Settings,
    sender: Sender,
) -> None:
    # Three people paused nudges, so their pulses were skipped, never sent; a forged tap on
    # one of those deliveries must not count: three such answers would make the "hours" KPI
    # show a number nobody was asked for.
    from bot.app import build_nudge_service

    nudges: NudgeService = build_nudge_service(settings, session_factory)
    paused = ("UP000", "UP001", "UP002")
    for user in paused:
        nudges.set_paused(user, True)
    pilot_id, due = start(session_factory, stand_in)
    sending.send_due(due + timedelta(minutes=5))
    skipped = {d.recipient: d.id for d in sending.deliveries(f"pulse:{pilot_id}")}
    with session_factory() as session:
        statuses = {
            d.recipient: d.status
            for d in session.scalars(
                select(NudgeDelivery).where(NudgeDelivery.recipient.in_(paused))
            )
        }
    assert statuses == dict.fromkeys(paused, "skipped")

    for user in paused:
        tap(sender, stand_in, skipped[user], user, "5+")

    with session_factory() as session:
        assert session.scalars(select(PilotPulseAnswer)).all() == []
    pilot = PilotService(session_factory, min_reporters=3).get(pilot_id)
    assert pilot is not None and pilot.kpis[0].current is None


def test_an_answer_after_the_pilot_closed_is_refused_and_changes_nothing(
    session_factory: SessionFactory, stand_in: SlackStandIn, sending: Outbox, sender: Sender
) -> None:
    # The verdict was taken on the answers the pilot had: a later tap (or a changed answer)
    # would change the result a closed pilot shows.
    pilot_id, due = start(session_factory, stand_in)
    sending.send_due(due + timedelta(minutes=5))
    sent = {d.recipient: d.id for d in sending.deliveries(f"pulse:{pilot_id}")}

    tap(sender, stand_in, sent["UP000"], "UP000", "none")
    pilots = PilotService(session_factory, min_reporters=3)
    pilots.close(pilot_id, verdict="stop", note=None, actor="UMANAGER")
    tap(sender, stand_in, sent["UP000"], "UP000", "5+")
    tap(sender, stand_in, sent["UP001"], "UP001", "5+")

    with session_factory() as session:
        answers = {a.delivery_id: a.hours for a in session.scalars(select(PilotPulseAnswer))}
    assert answers == {sent["UP000"]: 0.0}
    told = [str(call.params) for call in stand_in.calls_to("response_url")]
    assert sum("answers no longer count" in text for text in told) == 2
