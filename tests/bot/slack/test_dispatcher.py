"""Scenario tests of the delivery engine through the Slack stand-in (real HTTP, real databases):
fan-out, 429s, permanent and transient errors, opt-out, cancellation, crash recovery."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import update

from bot.db.nudge_models import NudgeDelivery
from tests.bot.nudge_parts import Parts, dm, nudges_in_history, post_responder

MEMBERS = [f"U{n:03d}" for n in range(1, 16)]


def test_a_campaign_to_a_channel_reaches_each_member_exactly_once(parts: Parts) -> None:
    stand_in = parts.stand_in
    stand_in.channel_members["CTEAM"] = [*MEMBERS[:10], "UBOT"]
    parts.schedule(["CTEAM", "U001"])  # U001 is also a member: one nudge, not two
    parts.runner.fire_all()
    parts.drain()

    sent = parts.deliveries(status="sent")
    assert sorted(d.recipient for d in sent) == MEMBERS[:10]  # the bot itself is left out
    assert nudges_in_history(stand_in) == {dm(user): 1 for user in MEMBERS[:10]}
    post = stand_in.calls_to("chat.postMessage")[0].params
    assert post["channel"].startswith("D")
    assert post["metadata"]["event_type"] == "painpoint_nudge"
    delivery_ids = {
        c.params["metadata"]["event_payload"]["delivery_id"]
        for c in stand_in.calls_to("chat.postMessage")
    }
    assert delivery_ids == {d.id for d in sent}
    assert all(d.ts and d.channel == dm(d.recipient) for d in sent)


def test_429_on_every_7th_call_still_delivers_exactly_once_and_honours_retry_after(
    parts: Parts,
) -> None:
    stand_in = parts.stand_in
    stand_in.channel_members["CALL"] = MEMBERS
    stand_in.rate_limit_every["chat.postMessage"] = 7
    parts.schedule(["CALL"])
    parts.runner.fire_all()
    parts.drain(timeout=60)

    assert nudges_in_history(stand_in) == {dm(user): 1 for user in MEMBERS}
    calls = stand_in.calls_to("chat.postMessage")
    assert len(calls) == len(MEMBERS) + 2  # the 7th and 14th were refused
    threads = parts.settings.nudge_threads
    for refused in (calls[6], calls[13]):
        # Calls already in flight when the 429 came back may land; after them, every sender
        # waits out Retry-After (1 s).
        following = [refused, *[c for c in calls if c.at > refused.at][:threads]]
        gaps = [b.at - a.at for a, b in pairwise(following)]
        assert max(gaps) >= 0.95, gaps
    assert {d.status for d in parts.deliveries()} == {"sent"}
    assert parts.gate.rate_limited == 2


def test_a_permanent_error_is_recorded_once_and_never_retried(parts: Parts) -> None:
    stand_in = parts.stand_in
    stand_in.responders["chat.postMessage"] = post_responder({dm("U002"): "account_inactive"})
    stand_in.responders["conversations.open"] = lambda _s, params: (
        {"ok": False, "error": "user_not_found"}
        if params["users"] == "U001"
        else {"ok": True, "channel": {"id": dm(str(params["users"]))}}
    )
    parts.schedule(["U001", "U002", "U003"])
    parts.runner.fire_all()
    parts.drain()
    for _ in range(3):
        parts.dispatcher.dispatch(datetime.now(UTC) + timedelta(hours=1))

    by_user = {d.recipient: d for d in parts.deliveries()}
    assert (by_user["U001"].status, by_user["U001"].error) == ("failed", "user_not_found")
    assert (by_user["U002"].status, by_user["U002"].error) == ("failed", "account_inactive")
    assert by_user["U002"].attempts == 1
    assert by_user["U003"].status == "sent"
    posts = [c.params["channel"] for c in stand_in.calls_to("chat.postMessage")]
    assert posts.count(dm("U002")) == 1
    assert dm("U001") not in posts


def test_transient_errors_are_retried_and_an_uncertain_one_is_verified_first(
    parts: Parts,
) -> None:
    stand_in = parts.stand_in
    stand_in.fail("chat.postMessage", "service_unavailable")  # refused: retried after backoff
    stand_in.fail("chat.postMessage", status=503)  # may have been posted: verified, then resent
    parts.schedule(["U001", "U002"])
    parts.runner.fire_all()
    parts.dispatcher.dispatch()
    statuses = sorted((d.status, d.error or "") for d in parts.deliveries())
    assert statuses == [("pending", "service_unavailable"), ("sending", "")]
    assert not stand_in.calls_to("conversations.history")

    later = datetime.now(UTC) + timedelta(minutes=10)
    parts.dispatcher.dispatch(later)
    assert stand_in.calls_to("conversations.history")  # checked before the resend
    assert {d.status for d in parts.deliveries()} == {"sent"}
    assert nudges_in_history(stand_in) == {dm("U001"): 1, dm("U002"): 1}


def test_opt_out_is_honoured_at_dispatch_time_and_resume_restores_it(parts: Parts) -> None:
    stand_in = parts.stand_in
    parts.schedule(["U001", "U002"])
    parts.runner.fire_all()  # both deliveries are in the outbox already
    parts.service.set_paused("U002", True)
    parts.drain()
    by_user = {d.recipient: d for d in parts.deliveries()}
    assert by_user["U001"].status == "sent"
    assert (by_user["U002"].status, by_user["U002"].error) == ("skipped", "paused")
    assert dm("U002") not in nudges_in_history(stand_in)

    parts.service.set_paused("U002", False)
    parts.schedule(["U002"])
    parts.runner.fire_all()
    parts.drain()
    assert nudges_in_history(stand_in)[dm("U002")] == 1


def test_cancelling_stops_whatever_has_not_been_sent(parts: Parts) -> None:
    campaign = parts.schedule(["U001", "U002", "U003"])
    parts.runner.fire_all()
    parts.service.cancel(campaign)
    parts.drain()
    assert {d.status for d in parts.deliveries()} == {"cancelled"}
    assert not parts.stand_in.calls_to("chat.postMessage")


def _leave_sending(parts: Parts, users: list[str]) -> dict[str, NudgeDelivery]:
    """Simulate a process killed after marking these deliveries `sending`."""
    now = datetime.now(UTC) - timedelta(minutes=2)
    with parts.session_factory() as session, session.begin():
        for user in users:
            session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.recipient == user)
                .values(
                    status="sending",
                    attempts=1,
                    channel=dm(user),
                    sending_at=now,
                    claimed_by="dead-process",
                )
            )
    return {d.recipient: d for d in parts.deliveries()}


def test_after_a_crash_a_nudge_already_in_the_dm_is_not_resent_and_a_missing_one_is_sent_once(
    parts: Parts,
) -> None:
    stand_in = parts.stand_in
    parts.schedule(["U001", "U002"])
    parts.runner.fire_all()
    stuck = _leave_sending(parts, ["U001", "U002"])
    # U001's message reached Slack before the crash; U002's did not.
    posted: dict[str, Any] = {
        "ts": "1700000099.000100",
        "text": "earlier",
        "metadata": {
            "event_type": "painpoint_nudge",
            "event_payload": {"delivery_id": stuck["U001"].id},
        },
    }
    stand_in.history[dm("U001")] = [posted]

    report = parts.dispatcher.recover()

    assert (report.verified, report.sent) == (1, 1)
    by_user = {d.recipient: d for d in parts.deliveries()}
    assert (by_user["U001"].status, by_user["U001"].ts) == ("sent", "1700000099.000100")
    assert by_user["U002"].status == "sent"
    assert [c.params["channel"] for c in stand_in.calls_to("chat.postMessage")] == [dm("U002")]
    assert nudges_in_history(stand_in) == {dm("U001"): 1, dm("U002"): 1}
    history_calls = stand_in.calls_to("conversations.history")
    assert {c.params["channel"] for c in history_calls} == {dm("U001"), dm("U002")}


def test_an_answer_lost_to_a_timeout_is_found_in_history_and_not_resent(parts: Parts) -> None:
    stand_in = parts.stand_in
    # Slack posts the message, but its answer arrives after the client gave up (2 s).
    stand_in.responders["chat.postMessage"] = post_responder(before=lambda _p: time.sleep(2.5))
    parts.schedule(["U001"])
    parts.runner.fire_all()
    report = parts.dispatcher.dispatch()
    assert report.uncertain == 1
    (delivery,) = parts.deliveries()
    assert delivery.status == "sending" and delivery.next_attempt_at is not None

    del stand_in.responders["chat.postMessage"]
    parts.dispatcher.dispatch(datetime.now(UTC) + timedelta(minutes=5))

    (delivery,) = parts.deliveries()
    assert delivery.status == "sent"
    assert len(stand_in.calls_to("chat.postMessage")) == 1
    assert nudges_in_history(stand_in) == {dm("U001"): 1}


def test_deliveries_due_during_downtime_beyond_the_grace_window_are_missed(parts: Parts) -> None:
    parts.schedule(["U001", "U002"])
    parts.runner.fire_all()
    now = datetime.now(UTC)
    with parts.session_factory() as session, session.begin():
        session.execute(
            update(NudgeDelivery)
            .where(NudgeDelivery.recipient == "U001")
            .values(due_at=now - timedelta(hours=5))
        )
        session.execute(
            update(NudgeDelivery)
            .where(NudgeDelivery.recipient == "U002")
            .values(due_at=now - timedelta(minutes=20))
        )
    # Nobody dispatched for the last six hours; the grace window is one hour.
    missed = parts.dispatcher.mark_missed(now - timedelta(hours=6), now, grace=timedelta(hours=1))
    assert missed == 1
    parts.drain()
    by_user = {d.recipient: d.status for d in parts.deliveries()}
    assert by_user == {"U001": "missed", "U002": "sent"}
