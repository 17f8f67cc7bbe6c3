"""Runs and their expansion: audiences, each recipient's time zone, catch-up and missed runs,
idempotence, the APScheduler job store, and the worker end to end."""

from __future__ import annotations

import pickle
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, update

from bot.db.models import PainPoint, Theme
from bot.db.nudge_models import NudgeCampaign, NudgeDelivery, NudgeLease, NudgeRun
from bot.db.session import make_engine
from bot.domain.nudges import ScheduleRequest
from bot.domain.schedule import Schedule
from bot.jobs import campaign_jobs as jobs
from bot.jobs.worker import Worker
from bot.settings import Settings
from tests.bot.nudge_parts import LESSON, Parts, dm, nudges_in_history
from tests.slack_stand_in import SlackStandIn


def add_theme_with_reporters(parts: Parts) -> int:
    now = datetime.now(UTC)
    with parts.session_factory() as session, session.begin():
        theme = Theme(kind="painpoint", title="Invoices typed by hand", reporters=4, size=5)
        session.add(theme)
        session.flush()
        rows = [("U020", True), ("U021", True), ("U020", True), (None, False), ("U099", True)]
        for n, (user, keep) in enumerate(rows):
            session.add(
                PainPoint(
                    text=f"report {n}",
                    text_hash=f"{n:064d}",
                    source="slash",
                    reporter=f"{n:064x}",
                    keep_posted=keep,
                    notify_user_id=user,
                    theme_id=theme.id if user != "U099" else None,
                    created_at=now,
                    updated_at=now,
                )
            )
        return theme.id


def test_users_groups_paginated_channels_and_theme_reporters_are_expanded(parts: Parts) -> None:
    stand_in = parts.stand_in
    stand_in.usergroups["S0GROUP"] = ["U010", "U011", "U001"]
    pages = {"": (["U001", "U002"], "p2"), "p2": (["U003", "UBOT"], "p3"), "p3": (["U004"], "")}

    def members(_s: SlackStandIn, params: dict[str, Any]) -> dict[str, Any]:
        page, cursor = pages[str(params.get("cursor") or "")]
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    stand_in.responders["conversations.members"] = members
    theme_id = add_theme_with_reporters(parts)
    parts.schedule(["U001", "CPAGED", "S0GROUP", f"theme:{theme_id}"])
    report = parts.runner.fire_all()

    recipients = sorted(d.recipient for d in parts.deliveries())
    assert recipients == ["U001", "U002", "U003", "U004", "U010", "U011", "U020", "U021"]
    assert report.deliveries == 8
    assert len(stand_in.calls_to("conversations.members")) == 3
    assert not stand_in.calls_to("users.info")  # no time zone needed for "now"


def test_an_audience_entry_that_fails_is_recorded_and_the_rest_still_go(parts: Parts) -> None:
    parts.stand_in.fail("conversations.members", "channel_not_found")
    parts.schedule(["CGONE", "U001"])
    parts.runner.fire_all()
    assert [d.recipient for d in parts.deliveries()] == ["U001"]
    with parts.session_factory() as session:
        run = session.scalars(select(NudgeRun)).one()
    assert run.errors == ["CGONE: channel_not_found"]


def test_local_time_deliveries_are_due_at_each_recipients_own_ten_oclock(parts: Parts) -> None:
    stand_in = parts.stand_in
    zones = {"UTOKYO": "Asia/Tokyo", "UBERLIN": "Europe/Berlin", "UNY": "America/New_York"}
    for user, tz in zones.items():
        stand_in.users[user] = {"tz": tz}
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    request = ScheduleRequest(
        content=f"lesson:{LESSON}",
        audience=list(zones),
        when="at",
        on_date=day,
        time_of_day=datetime.strptime("10:00", "%H:%M").time(),
        local_time=True,
    )
    campaign = parts.service.schedule(request, created_by="UTRAINER")
    with parts.session_factory() as session:
        next_run = session.get(NudgeCampaign, campaign.id).next_run_at  # type: ignore[union-attr]
    expand_at = next_run if next_run.tzinfo else next_run.replace(tzinfo=UTC)  # type: ignore[union-attr]
    assert parts.runner.fire(campaign.id, expand_at).deliveries == 3

    due = {
        d.recipient: d.due_at.replace(tzinfo=UTC) if d.due_at.tzinfo is None else d.due_at
        for d in parts.deliveries()
    }
    for user, tz in zones.items():
        expected = datetime.combine(day, datetime.min.time().replace(hour=10), tzinfo=ZoneInfo(tz))
        assert due[user] == expected.astimezone(UTC), user
    assert len(stand_in.calls_to("users.info")) == 3
    # Not yet due: nothing is sent early.
    parts.dispatcher.dispatch()
    assert not stand_in.calls_to("chat.postMessage")
    # Time zones are cached: a second campaign asks Slack nothing.
    parts.schedule(list(zones), local_time=True, when="daily", time_of_day=request.time_of_day)
    parts.runner.fire_all(datetime.now(UTC) + timedelta(days=2))
    assert len(stand_in.calls_to("users.info")) == 3


def test_missed_runs_are_caught_up_within_the_grace_window_and_older_ones_recorded(
    parts: Parts,
) -> None:
    created = datetime(2026, 6, 1, 8, tzinfo=UTC)
    parts.service._clock = lambda: created
    campaign = parts.schedule(
        ["U001"], when="daily", time_of_day=datetime.strptime("10:00", "%H:%M").time()
    )
    # The worker was down from before the first run until 10:30 on 4 June (grace: 60 min).
    report = parts.runner.fire(campaign, datetime(2026, 6, 4, 10, 30, tzinfo=UTC))
    assert (report.runs, report.missed_runs) == (4, 3)
    with parts.session_factory() as session:
        runs = session.execute(
            select(NudgeRun.run_key, NudgeRun.status).order_by(NudgeRun.expand_at)
        ).all()
    assert [status for _, status in runs] == ["missed", "missed", "missed", "expanded"]
    assert [d.status for d in parts.deliveries()] == ["pending"]
    parts.drain()
    assert nudges_in_history(parts.stand_in) == {dm("U001"): 1}


def test_a_one_off_found_long_after_its_time_is_missed_not_sent_late(parts: Parts) -> None:
    parts.service._clock = lambda: datetime.now(UTC) - timedelta(hours=5)
    campaign = parts.schedule(["U001"])
    parts.runner.fire(campaign)
    with parts.session_factory() as session:
        assert session.scalar(select(NudgeRun.status)) == "missed"
        assert session.get(NudgeCampaign, campaign).status == "finished"  # type: ignore[union-attr]
    assert parts.deliveries() == []


def test_firing_and_expanding_again_adds_nothing(parts: Parts) -> None:
    parts.stand_in.channel_members["CTEAM"] = ["U001", "U002", "U003"]
    campaign = parts.schedule(["CTEAM"])
    now = datetime.now(UTC)
    parts.runner.fire(campaign, now)
    # As if a crash had left the run half-expanded: expanding it again inserts no duplicates.
    with parts.session_factory() as session, session.begin():
        session.execute(update(NudgeRun).values(status="expanding"))
        session.execute(update(NudgeCampaign).values(status="active", processed_until=None))
    parts.runner.fire(campaign, now)
    parts.runner.expand_pending(now)
    assert len(parts.deliveries()) == 3
    with parts.session_factory() as session:
        assert len(session.scalars(select(NudgeRun)).all()) == 1


def test_campaign_trigger_is_plain_data_and_follows_the_schedule() -> None:
    schedule = Schedule.from_dict(
        {
            "kind": "daily",
            "start": "2026-06-01T00:00:00+00:00",
            "timezone": "Europe/Berlin",
            "time_of_day": "10:00",
        }
    )
    trigger = jobs.CampaignTrigger(schedule.to_dict())
    restored = pickle.loads(pickle.dumps(trigger))
    assert restored.schedule == schedule.to_dict()
    first = restored.get_next_fire_time(None, datetime(2026, 6, 1, tzinfo=UTC))
    assert first == datetime(2026, 6, 1, 8, tzinfo=UTC)
    assert restored.get_next_fire_time(first, first) == datetime(2026, 6, 2, 8, tzinfo=UTC)


def test_the_scheduler_fires_a_campaign_from_its_job_store(parts: Parts, database_url: str) -> None:
    from sqlalchemy import pool

    when = datetime.now(UTC) + timedelta(seconds=2)
    campaign = parts.schedule(["U001", "U002"], when="at", at=when)
    scheduler = jobs.build_scheduler(make_engine(database_url, poolclass=pool.NullPool))
    jobs.set_runner(parts.runner)
    scheduler.start()
    try:
        added, removed = jobs.sync_jobs(scheduler, parts.session_factory, datetime.now(UTC))
        assert (added, removed) == (1, 0)
        assert jobs.sync_jobs(scheduler, parts.session_factory, datetime.now(UTC)) == (0, 0)
        with parts.session_factory() as session:
            stored = session.execute(text("SELECT id, next_run_time FROM apscheduler_jobs")).all()
        assert [(row[0], round(row[1])) for row in stored] == [
            (f"campaign:{campaign}", round(when.timestamp()))
        ]
        deadline = time.monotonic() + 15
        while len(parts.deliveries()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(parts.deliveries()) == 2
        assert (
            min(
                d.created_at.replace(tzinfo=UTC) if d.created_at.tzinfo is None else d.created_at
                for d in parts.deliveries()
            )
            >= when
        )
    finally:
        scheduler.shutdown(wait=True)
        jobs.set_runner(None)
    with parts.session_factory() as session:
        assert session.get(NudgeCampaign, campaign).status == "finished"  # type: ignore[union-attr]
        assert session.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar() == 0


def test_cancelled_campaigns_lose_their_job(parts: Parts, database_url: str) -> None:
    from sqlalchemy import pool

    campaign = parts.schedule(
        ["U001"], when="daily", time_of_day=datetime.strptime("10:00", "%H:%M").time()
    )
    scheduler = jobs.build_scheduler(make_engine(database_url, poolclass=pool.NullPool))
    scheduler.start(paused=True)
    try:
        assert jobs.sync_jobs(scheduler, parts.session_factory, datetime.now(UTC)) == (1, 0)
        assert scheduler.get_job(f"campaign:{campaign}") is not None
        parts.service.cancel(campaign)
        assert jobs.sync_jobs(scheduler, parts.session_factory, datetime.now(UTC)) == (0, 1)
        assert scheduler.get_job(f"campaign:{campaign}") is None
    finally:
        scheduler.shutdown(wait=False)


def test_the_worker_schedules_and_sends_without_serving_slack(
    nudge_settings: Settings, parts: Parts, database_url: str
) -> None:
    worker = Worker(
        nudge_settings,
        session_factory=parts.session_factory,
        engine=make_engine(database_url),
        idle_seconds=0.1,
        sync_seconds=0.2,
    ).start()
    try:
        parts.schedule(["U001", "U002", "U003"])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (
            parts.deliveries() and all(d.status == "sent" for d in parts.deliveries())
        ):
            time.sleep(0.1)
        assert [d.status for d in parts.deliveries()] == ["sent"] * 3
    finally:
        worker.stop()
    assert nudges_in_history(parts.stand_in) == {dm(u): 1 for u in ("U001", "U002", "U003")}
    with parts.session_factory() as session:
        lease = session.scalars(select(NudgeLease)).one()
        assert lease.holder is None  # released on a clean stop
        assert session.scalar(select(NudgeDelivery.claimed_by)) == worker.lease.holder


def test_many_unknown_time_zones_are_read_with_users_list_not_one_call_each(
    parts: Parts,
) -> None:
    users = [f"U{n:03d}" for n in range(1, 121)]
    pages = {"": (users[:80], "next"), "next": (users[80:], "")}

    def users_list(_s: SlackStandIn, params: dict[str, Any]) -> dict[str, Any]:
        page, cursor = pages[str(params.get("cursor") or "")]
        members = [{"id": u, "tz": "Asia/Kolkata" if int(u[1:]) % 2 else None} for u in page]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": cursor}}

    parts.stand_in.responders["users.list"] = users_list
    zones = parts.recipients.zones(users)
    assert len(parts.stand_in.calls_to("users.list")) == 2
    assert not parts.stand_in.calls_to("users.info")
    assert zones["U001"] == "Asia/Kolkata" and zones["U002"] is None
    parts.recipients.zones(users)  # cached now
    assert len(parts.stand_in.calls_to("users.list")) == 2


def test_a_failed_time_zone_look_up_is_not_cached(parts: Parts) -> None:
    parts.stand_in.fail("users.info", status=500, times=6)
    assert parts.recipients.zones(["U001"]) == {"U001": None}
    parts.stand_in.users["U001"] = {"tz": "Europe/Rome"}
    assert parts.recipients.zones(["U001"]) == {"U001": "Europe/Rome"}
