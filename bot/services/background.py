"""A background worker that collects ids and handles them in batches, off Slack's ack path."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)


def lower_priority() -> None:
    """Give the calling thread the lowest CPU priority (Linux: nice is per thread).

    Background embedding then only uses CPU that request threads leave idle, and the
    threads torch starts from here inherit the same priority.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):  # not Linux, or not allowed: run at normal priority
        logger.debug("could not lower the background thread's priority")


class Activity:
    """When a person's request last arrived; background work waits for a quiet moment.

    Nice levels do not share Python's interpreter lock: a background batch decoding rows
    holds it in slices that request threads then wait for. Waiting until requests pause (at
    most `MAX_WAIT` seconds) keeps a burst's acknowledgements as fast as a quiet minute's.
    """

    QUIET = 0.3
    MAX_WAIT = 10.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last = float("-inf")

    def touch(self) -> None:
        """A request arrived."""
        self._last = self._clock()

    def wait_for_quiet(self) -> None:
        """Return once no request came for `QUIET` seconds, or after `MAX_WAIT` at most."""
        deadline = self._clock() + self.MAX_WAIT
        while True:
            quiet_for = self._clock() - self._last
            now = self._clock()
            if quiet_for >= self.QUIET or now >= deadline:
                return
            time.sleep(min(self.QUIET - quiet_for, deadline - now))


class BatchWorker:
    """Queues ids; one daemon thread hands everything queued so far to `handle` in one call.

    Batching matters on small machines: embedding 200 reports at once costs a fraction of
    embedding them one by one, and a burst of reports never starves request threads.
    """

    def __init__(
        self,
        handle: Callable[[Sequence[int]], object],
        *,
        name: str,
        max_batch: int = 256,
        linger: float = 1.0,
        activity: Activity | None = None,
    ) -> None:
        self._handle = handle
        self._activity = activity
        self._name = name
        self._max_batch = max_batch
        # Waiting a moment after the first id lets a burst gather into one batch.
        self._linger = linger
        self._pending: list[int] = []
        self._condition = threading.Condition()
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None

    def submit(self, item: int) -> None:
        """Queue one id; returns at once."""
        with self._condition:
            self._pending.append(item)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._condition.notify()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until everything queued has been handled (for tests and shutdown)."""
        with self._condition:
            return self._condition.wait_for(lambda: not self._pending and not self._busy, timeout)

    def stop(self) -> None:
        """The process is stopping: a batch that fails from now on is expected, not an error
        (its child process is going away); what it left is picked up at the next start."""
        self._stopping = True

    def _run(self) -> None:
        lower_priority()
        while True:
            with self._condition:
                self._condition.wait_for(lambda: bool(self._pending))
                self._busy = True
            time.sleep(self._linger)
            if self._activity is not None:
                self._activity.wait_for_quiet()
            with self._condition:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                self._busy = True
            try:
                self._handle(batch)
            except Exception as exc:
                if self._stopping:
                    logger.info("background %s stopped with %d items left", self._name, len(batch))
                else:
                    logger.exception(
                        "background %s failed for %d items: %r", self._name, len(batch), exc
                    )
            finally:
                with self._condition:
                    self._busy = False
                    self._condition.notify_all()
