"""A spike alert already in the channel never goes on showing what may no longer be shown:
a report it quotes that is deleted or erased, or a theme that falls below the
minimum-reporter rule, gets the alert redone while the theme spikes, withdrawn otherwise."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from bot.db.models import PainPoint, Theme, ThemeAlert
from bot.db.session import SessionFactory
from bot.services.capture import CaptureService
from bot.services.erasure import ErasureService
from bot.slack.digests import WITHDRAWN, DigestPublisher
from tests.bot.reporting.checks import assert_valid_blocks
from tests.bot.reporting.factories import Seeded, seed_theme
from tests.bot.services.digest_parts import CHANNEL, NOW, SPIKE_DAYS, Clock, alerts
from tests.conftest import SECRET_KEY
from tests.slack_stand_in import SlackStandIn

TEAM = "T1"
PEOPLE = [f"U{n:03d}" for n in range(14)]


def seed_spike(session_factory: SessionFactory) -> Seeded:
    """A theme of 14 people spiking this week; reporters are the pseudonyms of PEOPLE."""
    capture = CaptureService(session_factory, secret_key=SECRET_KEY)
    reporters = [capture.pseudonym(TEAM, user) for user in PEOPLE]
    return seed_theme(
        session_factory, "Payroll portal down", reporters=reporters, days_ago=SPIKE_DAYS, now=NOW
    )


def quoted_texts(session_factory: SessionFactory) -> list[tuple[int, str, str]]:
    """(report id, reporter, text) of each report the live alert quotes."""
    [alert] = alerts(session_factory)
    assert alert.quoted_ids, "the alert remembers what it quotes"
    with session_factory() as session:
        rows = session.execute(
            select(PainPoint.id, PainPoint.reporter, PainPoint.text).where(
                PainPoint.id.in_(alert.quoted_ids)
            )
        ).all()
    return [(row.id, row.reporter, row.text) for row in rows]


def owner_of(seeded: Seeded, reporter: str) -> str:
    return PEOPLE[seeded.reporters.index(reporter)]


def sent(stand_in: SlackStandIn, method: str) -> str:
    return json.dumps([call.params for call in stand_in.calls_to(method)])


def test_an_alert_quoting_a_report_erased_since_is_redone_while_the_theme_spikes(
    publisher: DigestPublisher, session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    seeded = seed_spike(session_factory)
    publisher.post_spike_alerts()
    [(report_id, reporter, text), *_] = quoted_texts(session_factory)
    [post] = stand_in.calls_to("chat.postMessage")
    assert text in json.dumps(post.params["blocks"])
    [alert] = alerts(session_factory)
    assert publisher.post_spike_alerts().updated == [seeded.theme_id]
    assert stand_in.calls_to("chat.update") == [], "unchanged: nothing is sent"

    ErasureService(session_factory, secret_key=SECRET_KEY).erase(
        owner_of(seeded, reporter), team_keys=[TEAM]
    )
    result = publisher.post_spike_alerts()

    assert (result.posted, result.updated) == ([], [seeded.theme_id])
    [redone] = stand_in.calls_to("chat.update")
    assert (redone.params["channel"], redone.params["ts"]) == (CHANNEL, alert.ts)
    assert_valid_blocks(redone.params["blocks"])
    assert text not in json.dumps(redone.params["blocks"])
    assert "Payroll portal down" in redone.params["text"]
    assert report_id not in [quoted for quoted, _, _ in quoted_texts(session_factory)]


def test_an_alert_of_a_spike_that_is_over_is_withdrawn_when_a_quoted_report_is_deleted(
    publisher: DigestPublisher,
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    clock: Clock,
) -> None:
    seeded = seed_spike(session_factory)
    publisher.post_spike_alerts()
    [(report_id, reporter, text), *_] = quoted_texts(session_factory)
    clock.now = NOW + timedelta(days=8)  # the spike is over; the alert is still live
    over = publisher.post_spike_alerts()
    assert (over.posted, over.updated, over.withdrawn) == ([], [], [])
    assert stand_in.calls_to("chat.update") == [], "an alert that may stay is left alone"

    capture = CaptureService(session_factory, secret_key=SECRET_KEY)
    assert capture.delete(team_id=TEAM, user_id=owner_of(seeded, reporter), painpoint_id=report_id)
    result = publisher.post_spike_alerts()

    assert result.withdrawn == [seeded.theme_id]
    [withdrawn] = stand_in.calls_to("chat.update")
    assert withdrawn.params["text"] == WITHDRAWN
    assert_valid_blocks(withdrawn.params["blocks"])
    assert text not in sent(stand_in, "chat.update")
    assert "Payroll" not in sent(stand_in, "chat.update")
    assert alerts(session_factory) == []
    assert publisher.post_spike_alerts().withdrawn == [], "withdrawn once"


def merge_away(session_factory: SessionFactory, theme_id: int) -> None:
    """What a manager's merge does to the theme merged away: it is no longer active."""
    with session_factory() as session, session.begin():
        session.execute(update(Theme).where(Theme.id == theme_id).values(active=False))


def test_an_alert_of_a_theme_erased_down_below_the_minimum_is_withdrawn(
    publisher: DigestPublisher, session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    seeded = seed_spike(session_factory)
    publisher.post_spike_alerts()
    erasure = ErasureService(session_factory, secret_key=SECRET_KEY)
    for user in PEOPLE[2:]:
        erasure.erase(user, team_keys=[TEAM])

    result = publisher.post_spike_alerts()

    assert (result.posted, result.updated, result.withdrawn) == ([], [], [seeded.theme_id])
    [withdrawn] = stand_in.calls_to("chat.update")
    assert withdrawn.params["text"] == WITHDRAWN
    assert "Payroll" not in sent(stand_in, "chat.update")


def test_a_failed_withdrawal_is_tried_again_and_a_deleted_message_is_forgotten(
    publisher: DigestPublisher, session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    seeded = seed_spike(session_factory)
    publisher.post_spike_alerts()
    merge_away(session_factory, seeded.theme_id)

    stand_in.fail("chat.update", "internal_error")
    assert publisher.post_spike_alerts().withdrawn == []
    assert len(alerts(session_factory)) == 1, "kept, to try again"
    stand_in.fail("chat.update", "message_not_found")
    assert publisher.post_spike_alerts().withdrawn == [seeded.theme_id]
    assert alerts(session_factory) == []
    assert len(stand_in.calls_to("chat.update")) == 2


def test_an_alert_posted_before_alerts_remembered_their_quotes_is_redone_or_withdrawn(
    publisher: DigestPublisher,
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    clock: Clock,
) -> None:
    def as_if_posted_before() -> None:
        with session_factory() as session, session.begin():
            session.execute(update(ThemeAlert).values(quoted_ids=None))

    seeded = seed_spike(session_factory)
    publisher.post_spike_alerts()
    as_if_posted_before()

    assert publisher.post_spike_alerts().updated == [seeded.theme_id]
    assert len(stand_in.calls_to("chat.update")) == 1, "redone while the theme spikes"
    as_if_posted_before()
    clock.now = NOW + timedelta(days=8)
    assert publisher.post_spike_alerts().withdrawn == [seeded.theme_id]
    assert stand_in.calls_to("chat.update")[-1].params["text"] == WITHDRAWN
    assert stand_in.calls_to("chat.update")[-1].params["channel"] == CHANNEL
