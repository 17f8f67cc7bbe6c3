"""GroupCommit: queued items are written together and each caller gets its own result."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.services.group_commit import GroupCommit


class GatedWriter:
    """Doubles each item; the first batch waits at a gate so later items pile up behind it."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.first_batch_started = threading.Event()
        self.gate = threading.Event()

    def __call__(self, items: Sequence[int]) -> list[int]:
        if not self.batches:
            self.first_batch_started.set()
            self.gate.wait(10)
        self.batches.append(list(items))
        return [item * 2 for item in items]


def submit_behind_a_gated_batch(max_batch: int, count: int) -> tuple[GatedWriter, list[int]]:
    """Submit 0, hold its write at the gate until 1..count are queued, then release."""
    writer = GatedWriter()
    commit: GroupCommit[int, int] = GroupCommit(writer, name="test-writer", max_batch=max_batch)
    with ThreadPoolExecutor(count + 1) as pool:
        first = pool.submit(commit.submit, 0)
        assert writer.first_batch_started.wait(10)
        rest = [pool.submit(commit.submit, n) for n in range(1, count + 1)]
        while commit.backlog() < count:
            threading.Event().wait(0.01)
        writer.gate.set()
        return writer, [future.result(10) for future in [first, *rest]]


def test_items_queued_during_a_write_go_out_together_and_answer_their_own_callers() -> None:
    writer, results = submit_behind_a_gated_batch(max_batch=64, count=10)
    assert results == [n * 2 for n in range(11)]
    assert writer.batches == [[0], list(range(1, 11))]


def test_batches_are_capped_at_max_batch() -> None:
    writer, results = submit_behind_a_gated_batch(max_batch=4, count=10)
    assert results == [n * 2 for n in range(11)]
    assert [len(batch) for batch in writer.batches] == [1, 4, 4, 2]


def test_a_failed_write_reaches_its_callers_and_the_writer_keeps_serving() -> None:
    calls: list[list[str]] = []

    def write(items: Sequence[str]) -> list[str]:
        calls.append(list(items))
        if "boom" in items:
            raise ValueError("database unavailable")
        return [item.upper() for item in items]

    commit: GroupCommit[str, str] = GroupCommit(write, name="test-writer")
    with pytest.raises(ValueError, match="database unavailable"):
        commit.submit("boom")
    assert commit.submit("fine") == "FINE"
    assert calls == [["boom"], ["fine"]]


def test_a_writer_that_loses_results_fails_loudly_instead_of_answering_wrongly() -> None:
    commit: GroupCommit[int, int] = GroupCommit(lambda items: [], name="test-writer")
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        commit.submit(7)
