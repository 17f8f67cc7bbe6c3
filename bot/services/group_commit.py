"""Group commit: one thread writes whatever callers have queued, in one transaction.

Many small concurrent writes each paying for their own transaction and commit queue up
behind the database's single writer (SQLite) or its commit flush (PostgreSQL), and in
Python every statement also hands the GIL back and waits to get it again. Writing queued
items together keeps the cost of a busy minute close to that of a quiet one: under load a
batch holds as many reports as arrived while the previous batch was being written.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Queues items for `write(batch) -> results` (same order) and blocks each caller on its own.

    A result that is an exception is raised to its own caller only; if `write` raises, every
    caller in that batch gets the exception.
    """

    def __init__(
        self,
        write: Callable[[Sequence[Item]], Sequence[Result | Exception]],
        *,
        name: str,
        max_batch: int = 64,
    ) -> None:
        self._write = write
        self._name = name
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[Item, Future[Result]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, item: Item) -> Result:
        """Queue `item`, wait until its batch is written and return its result."""
        future: Future[Result] = Future()
        self._queue.put((item, future))
        self._ensure_thread()
        return future.result()

    def backlog(self) -> int:
        """How many items are queued and not yet taken into a batch."""
        return self._queue.qsize()

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write_batch(batch)

    def _write_batch(self, batch: list[tuple[Item, Future[Result]]]) -> None:
        try:
            results = self._write([item for item, _ in batch])
        except BaseException as exc:  # every waiting caller must hear of it, then re-raise
            for _, future in batch:
                future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        if len(results) != len(batch):
            error = RuntimeError(f"{self._name}: {len(results)} results for {len(batch)} items")
            logger.error("%s", error)
            for _, future in batch:
                future.set_exception(error)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
