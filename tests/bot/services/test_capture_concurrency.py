"""Concurrent reports: written together, yet each gets the outcome it would get alone."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.db.models import SlackEvent
from bot.db.session import SessionFactory, writer_lock
from bot.domain.capture import CaptureResult, Outcome, PainPointInput
from bot.services.capture import CaptureService
from tests.conftest import SECRET_KEY
from tests.stored import count_events, count_painpoints, painpoints

KEY = SECRET_KEY  # the privacy step in tests/stored.py opens sealed text with it


@pytest.fixture
def recorded_ids() -> list[int]:
    return []


@pytest.fixture
def service(session_factory: SessionFactory, recorded_ids: list[int]) -> CaptureService:
    return CaptureService(session_factory, secret_key=KEY, on_recorded=recorded_ids.append)


def all_at_once(
    session_factory: SessionFactory, calls: list[Callable[[], CaptureResult]]
) -> list[CaptureResult]:
    """Run `calls` together; on SQLite they queue behind a held writer lock into one batch."""
    ready = threading.Barrier(len(calls) + 1)

    def run(call: Callable[[], CaptureResult]) -> CaptureResult:
        ready.wait(10)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        with writer_lock(session_factory):
            futures = [pool.submit(run, call) for call in calls]
            ready.wait(10)
            threading.Event().wait(0.2)  # let every caller reach the queue
        return [future.result(30) for future in futures]


def reporting(
    service: CaptureService, text: str, user: str = "U100", **extra: Any
) -> Callable[[], CaptureResult]:
    return lambda: service.record(
        team_id="T1", user_id=user, submission=PainPointInput(text=text, source="slash"), **extra
    )


def test_the_same_report_sent_many_times_at_once_is_stored_once(
    service: CaptureService, session_factory: SessionFactory, recorded_ids: list[int]
) -> None:
    results = all_at_once(session_factory, [reporting(service, "The VPN drops") for _ in range(12)])
    outcomes = Counter(result.outcome for result in results)
    assert outcomes == {Outcome.RECORDED: 1, Outcome.DUPLICATE: 11}
    ids = {result.painpoint.id for result in results if result.painpoint}
    assert len(ids) == 1
    assert count_painpoints(session_factory) == 1
    assert recorded_ids == list(ids)


def test_a_flood_sent_at_once_stops_at_the_hourly_limit(
    service: CaptureService, session_factory: SessionFactory, recorded_ids: list[int]
) -> None:
    calls = [reporting(service, f"Problem number {n}") for n in range(40)]
    results = all_at_once(session_factory, calls)
    outcomes = Counter(result.outcome for result in results)
    assert outcomes == {Outcome.RECORDED: 30, Outcome.RATE_LIMITED: 10}
    assert count_painpoints(session_factory) == 30
    assert len(recorded_ids) == 30


def test_retries_of_one_event_arriving_together_store_one_row(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    calls = [reporting(service, "Invoices by hand", event_id="Ev-same") for _ in range(5)]
    outcomes = Counter(result.outcome for result in all_at_once(session_factory, calls))
    assert outcomes == {Outcome.RECORDED: 1, Outcome.REPLAYED: 4}
    assert count_painpoints(session_factory) == 1
    assert count_events(session_factory) == 1


def test_many_reporters_at_once_each_get_their_own_number_and_text(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    calls = [
        reporting(service, f"{user} waits for approvals, case {n}", user=user)
        for user in (f"U{i:03d}" for i in range(10))
        for n in range(2)
    ]
    results = all_at_once(session_factory, calls)
    assert all(result.outcome is Outcome.RECORDED for result in results)
    stored = {row.id: row.text for row in painpoints(session_factory)}
    assert {
        result.painpoint.id: result.painpoint.text for result in results if result.painpoint
    } == (stored)
    assert len(stored) == 20


def test_an_event_id_claimed_by_another_process_midway_refuses_only_that_report(
    service: CaptureService, session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process stores the event id after this one looked: the check finds nothing,
    # the batch's insert then fails, and the batch is redone one report at a time.
    with session_factory() as session, session.begin():
        session.add(SlackEvent(event_id="Ev-raced"))
    monkeypatch.setattr(service._batches, "_claimed_events", lambda session, batch: set())
    results = all_at_once(
        session_factory,
        [
            reporting(service, "Copying numbers between systems", event_id="Ev-raced"),
            reporting(service, "Month-end close takes days", user="U200", event_id="Ev-new"),
            reporting(service, "Nobody knows the latest policy", user="U300"),
        ],
    )
    assert [result.outcome for result in results] == [
        Outcome.REPLAYED,
        Outcome.RECORDED,
        Outcome.RECORDED,
    ]
    assert sorted(row.text for row in painpoints(session_factory)) == [
        "Month-end close takes days",
        "Nobody knows the latest policy",
    ]
    assert count_events(session_factory) == 2
