"""Periodic jobs: fixed ids, crontab triggers in the configured zone, no work without the lease."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from bot.jobs import periodic


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def recluster(self) -> object:
        self.calls.append("recluster")

        class _Result:
            themes = 3
            unassigned = 1
            enough_data = True
            message = ""

        return _Result()

    def post_weekly_digest(self) -> None:
        self.calls.append("digest")

    def post_spike_alerts(self) -> None:
        self.calls.append("spikes")


def test_jobs_have_fixed_ids_and_replace_themselves() -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start(paused=True)
    for _ in range(2):
        ids = periodic.add_periodic_jobs(
            scheduler,
            recluster_cron="0 2 * * *",
            digest_cron="0 9 * * 1",
            timezone="Europe/Berlin",
            digests=True,
        )
    assert sorted(ids) == sorted([periodic.RECLUSTER_JOB, periodic.DIGEST_JOB, periodic.SPIKES_JOB])
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted(ids)
    digest = scheduler.get_job(periodic.DIGEST_JOB)
    monday_morning = digest.trigger.get_next_fire_time(
        None, datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))
    )
    scheduler.shutdown(wait=False)
    assert monday_morning == datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_without_a_digest_channel_only_reclustering_is_scheduled() -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    ids = periodic.add_periodic_jobs(
        scheduler,
        recluster_cron="30 1 * * *",
        digest_cron="0 9 * * 1",
        timezone="UTC",
        digests=False,
    )
    assert ids == [periodic.RECLUSTER_JOB]


def test_jobs_do_nothing_until_the_lease_holder_installs_work() -> None:
    recorder = _Recorder()
    periodic.install(None)
    periodic.recluster_job()
    periodic.weekly_digest_job()
    assert recorder.calls == []
    periodic.install(periodic.PeriodicWork(themes=recorder, publisher=recorder))  # type: ignore[arg-type]
    try:
        periodic.recluster_job()
        periodic.weekly_digest_job()
        periodic.spike_alerts_job()
    finally:
        periodic.install(None)
    assert recorder.calls == ["recluster", "spikes", "digest", "spikes"]


def test_crontab_days_follow_the_standard_numbering() -> None:
    from bot.domain.crontab import crontab_trigger

    thursday = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))
    expected = {
        "0 9 * * 1": datetime(2026, 11, 30, 9, 0),  # Monday
        "0 9 * * 0": datetime(2026, 11, 29, 9, 0),  # Sunday
        "0 9 * * 7": datetime(2026, 11, 29, 9, 0),  # Sunday too
        "0 9 * * 1-5": datetime(2026, 11, 27, 9, 0),  # next weekday: Friday
        "0 10 * * 2": datetime(2026, 12, 1, 10, 0),  # Tuesday
    }
    for expression, when in expected.items():
        fire = crontab_trigger(expression, "UTC").get_next_fire_time(None, thursday)
        assert fire == when.replace(tzinfo=ZoneInfo("UTC")), expression


def test_one_crontab_translator_with_standard_semantics_for_digests_and_nudges() -> None:
    """`*/2` is Sunday, Tuesday, Thursday, Saturday and `0-4` is Sunday to Thursday, as in
    crontab; before the two translators were merged the digest read both differently."""
    from bot.domain.crontab import cron_day_of_week, crontab_trigger

    thursday = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))
    fires = []
    moment = thursday
    for _ in range(4):
        moment = crontab_trigger("0 9 * * */2", "UTC").get_next_fire_time(None, moment)
        fires.append(moment.strftime("%a"))
        moment = moment.replace(hour=10)
    assert fires == ["Sat", "Sun", "Tue", "Thu"]
    assert cron_day_of_week("*/2") == "sun,tue,thu,sat"
    assert crontab_trigger("0 9 * * 0-4", "UTC").get_next_fire_time(None, thursday) == datetime(
        2026, 11, 29, 9, 0, tzinfo=ZoneInfo("UTC")
    )
    assert cron_day_of_week("0-4") == "sun,mon,tue,wed,thu"
    with pytest.raises(ValueError, match="5 fields"):
        crontab_trigger("0 9 * *", "UTC")
