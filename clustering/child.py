"""One low-priority child process that runs a function at a time, restarted if it dies.

The bot's models (embeddings, the full PII scrub) run in such children so the serving
process keeps its CPU and its interpreter lock.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Result = TypeVar("Result")


class ChildStopped(RuntimeError):
    """The child was stopped for good (the process is shutting down)."""


class OneChild:
    """A spawned child started on first use with `initializer(*initargs)`."""

    def __init__(self, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
        self._initializer = initializer
        self._initargs = initargs
        self._pool: ProcessPoolExecutor | None = None
        self._stopped = False
        self._lock = threading.Lock()

    def call(self, function: Callable[[Any], Result], argument: Any) -> Result:
        """`function(argument)` in the child; a child that died is replaced once."""
        pool = self._executor()
        try:
            return pool.submit(function, argument).result()
        except BrokenProcessPool:
            # The child died (killed, out of memory): start a new one and try once more.
            # Only the broken pool is dropped, so callers that saw the same death do not
            # shut down the replacement another of them has just started.
            self._discard(pool)
            return self._executor().submit(function, argument).result()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._stopped:
                raise ChildStopped("the child process was stopped: the process is shutting down")
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=self._initializer,
                    initargs=self._initargs,
                )
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self, *, final: bool = False) -> None:
        """Stop the child; a later call starts a new one unless `final`, which refuses it
        (so nothing starts a child while the process exits)."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._stopped = self._stopped or final
        if pool is not None:
            stop_pool(pool)


def stop_pool(pool: ProcessPoolExecutor, grace: float = 2.0) -> None:
    """Shut a pool down and wait for it; children still busy after `grace` seconds are killed
    (the bot redoes that work: unscrubbed reports at its next start, unembedded ones at the
    next re-clustering).

    Waiting matters at exit: a pool left shutting down in the background races Python 3.11's
    exit hook for `concurrent.futures`, which then prints a "Bad file descriptor" traceback.
    """
    children = list(getattr(pool, "_processes", None) or {})
    waiter = threading.Thread(
        target=pool.shutdown, kwargs={"wait": True, "cancel_futures": True}, daemon=True
    )
    waiter.start()
    waiter.join(grace)
    if waiter.is_alive():
        for child in multiprocessing.active_children():
            if child.pid in children:
                child.kill()
        waiter.join(10.0)
