"""A heartbeat file for processes without an HTTP health endpoint (`--health-file`).

Every few seconds the process rewrites a small JSON document (atomically: write, then rename):
its pid, when it last beat, and whether it holds the work lease. A supervisor checks that the
file is fresh; `painpoint status` shows the lease holder from the database.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from bot.jobs.lease import Lease

logger = logging.getLogger(__name__)


class HealthFile:
    """Writes the heartbeat every `interval` seconds until stopped; a no-op without a path."""

    def __init__(self, path: str | None, *, lease: Lease | None, interval: float = 5.0) -> None:
        self.path = Path(path) if path else None
        self.lease = lease
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> HealthFile:
        """Write once now, then in a background thread."""
        if self.path is None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.beat()
        self._thread = threading.Thread(target=self._loop, name="painpoint-health", daemon=True)
        self._thread.start()
        return self

    def document(self) -> dict[str, object]:
        """What the file holds now."""
        return {
            "pid": os.getpid(),
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "holder": self.lease.holder if self.lease else None,
            "holds_lease": self.lease.held if self.lease else False,
        }

    def beat(self) -> None:
        """Rewrite the file atomically."""
        if self.path is None:
            return
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(json.dumps(self.document()) + "\n", encoding="utf-8")
        partial.replace(self.path)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.beat()
            except OSError as exc:
                logger.warning("cannot write the health file %s: %s", self.path, exc.strerror)

    def stop(self) -> None:
        """Stop beating and remove the file: a stopped process is not healthy."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.interval + 1)
        if self.path is not None:
            self.path.unlink(missing_ok=True)
