"""The lease: one holder at a time, renewal, takeover after expiry — across separate engines,
threads and workers."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.nudge_models import NudgeLease
from bot.db.session import SessionFactory, make_engine, make_session_factory
from bot.jobs.lease import Lease
from bot.jobs.worker import Worker
from bot.settings import Settings
from tests.bot.nudge_parts import Parts, dm, nudges_in_history
from tests.slack_stand_in import SlackStandIn


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def separate_factory(database_url: str) -> SessionFactory:
    """A second process's view of the database: its own engine and pool."""
    return make_session_factory(make_engine(database_url))


def test_one_holder_renewal_and_takeover_after_expiry(database_url: str) -> None:
    clock = Clock()
    first = Lease(separate_factory(database_url), ttl=30, holder="host-a:1", clock=clock)
    second = Lease(separate_factory(database_url), ttl=30, holder="host-b:2", clock=clock)

    taken = first.try_acquire()
    assert taken.held and taken.acquired and taken.gap_since is None
    refused = second.try_acquire()
    assert not refused.held and refused.holder == "host-a:1"

    clock.now += timedelta(seconds=20)
    renewed = first.try_acquire()
    assert renewed.held and not renewed.acquired
    assert not second.try_acquire().held  # 20 s in: still first's

    last_renewal = clock.now
    clock.now += timedelta(seconds=31)  # first stopped renewing (crashed)
    takeover = second.try_acquire()
    assert takeover.held and takeover.acquired
    assert takeover.gap_since == last_renewal  # nobody dispatched since then
    assert not first.try_acquire().held
    assert not first.held


def test_release_lets_a_successor_in_at_once(database_url: str) -> None:
    first = Lease(separate_factory(database_url), ttl=30, holder="a")
    second = Lease(separate_factory(database_url), ttl=30, holder="b")
    assert first.try_acquire().held
    first.release()
    assert not first.held
    assert second.try_acquire().held


def test_many_contenders_at_once_exactly_one_wins(database_url: str) -> None:
    contenders = [Lease(separate_factory(database_url), ttl=30, holder=f"p{n}") for n in range(6)]
    barrier = threading.Barrier(len(contenders))
    winners: list[str] = []
    lock = threading.Lock()

    def contend(lease: Lease) -> None:
        barrier.wait()
        if lease.try_acquire().held:
            with lock:
                winners.append(lease.holder)

    threads = [threading.Thread(target=contend, args=(lease,)) for lease in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    with contenders[0]._session_factory() as session:
        assert session.scalar(select(NudgeLease.holder)) == winners[0]


def test_the_local_view_expires_without_renewal() -> None:
    ticks = [100.0]
    lease = Lease(
        make_session_factory(make_engine("sqlite://")),
        ttl=10,
        monotonic=lambda: ticks[0],
    )
    lease._valid_until = 110.0
    assert lease.remaining() == pytest.approx(10.0)
    ticks[0] = 109.0
    assert lease.held and lease.remaining() == pytest.approx(1.0)
    ticks[0] = 110.5
    assert not lease.held


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_two_workers_one_dispatches_and_the_other_takes_over_when_it_dies(
    nudge_settings: Settings,
    database_url: str,
    stand_in: SlackStandIn,
    parts: Parts,
) -> None:
    # 40 recipients at 8 messages a second: the first worker dies about half-way.
    users = [f"U{n:03d}" for n in range(1, 41)]
    stand_in.channel_members["CALL"] = users
    settings = nudge_settings.model_copy(update={"nudge_rate": 8.0, "nudge_lease_seconds": 6})
    workers = [
        Worker(
            settings,
            session_factory=separate_factory(database_url),
            engine=make_engine(database_url),
            holder=name,
            idle_seconds=0.1,
            sync_seconds=0.2,
        )
        for name in ("worker-a", "worker-b")
    ]
    for worker in workers:
        worker.start()
    try:
        wait_until(lambda: any(w.lease.held for w in workers), 10, "a lease holder")
        first = next(w for w in workers if w.lease.held)
        second = next(w for w in workers if w is not first)
        parts.schedule(["CALL"])
        wait_until(lambda: len(stand_in.history) >= 15, 30, "the first half")
        assert not second.lease.held
        assert second.stats.dispatch.sent == 0
        first.stop(release=False)  # crashed: the lease must expire before anyone takes over
        stopped_at = time.monotonic()
        wait_until(lambda: second.lease.held, 15, "the takeover")
        assert time.monotonic() - stopped_at >= 1.0
        wait_until(
            lambda: (
                all(d.status == "sent" for d in parts.deliveries())
                and len(parts.deliveries()) == 40
            ),
            60,
            "every delivery",
        )
    finally:
        for worker in workers:
            worker.stop()
    assert nudges_in_history(stand_in) == {dm(user): 1 for user in users}
    assert first.stats.dispatch.sent > 0 and second.stats.dispatch.sent > 0
    assert second.stats.acquisitions == 1
