"""A lease row in the database: at most one process schedules and dispatches nudges.

The holder renews the row well before it expires; anyone may take it over once it has expired.
Each process also keeps its own conservative view of how long it still holds the lease (from
a monotonic clock, started *before* the renewing statement), and the dispatcher stops starting
sends when too little is left for a call to finish. So when a successor takes over, the old
holder's calls have all returned. Hosts' wall clocks must agree to well within the lease time
(NTP), since expiry is compared across hosts.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, or_, select, update

from bot.db.nudge_models import NudgeLease
from bot.db.session import SessionFactory
from bot.db.upsert import insert_ignore
from bot.domain.time import maybe_aware

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def default_holder_id() -> str:
    """host:pid:random, unique per process start."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class LeaseState:
    """The outcome of one acquire-or-renew attempt."""

    held: bool
    acquired: bool  # newly taken (not a renewal)
    holder: str | None  # who holds it now, as far as we know
    # When the previous holder last renewed: nobody dispatched between then and now.
    gap_since: datetime | None = None


class Lease:
    """Acquire, renew and release one named lease row."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        ttl: float,
        name: str = "nudges",
        holder: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.holder = holder or default_holder_id()
        self.ttl = ttl
        self._session_factory = session_factory
        self._clock = clock
        self._monotonic = monotonic
        self._valid_until = 0.0
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        """True while our own view says we hold the lease."""
        return self.remaining() > 0

    def remaining(self) -> float:
        """Seconds we can still count on holding the lease (0 when not held)."""
        with self._lock:
            return max(self._valid_until - self._monotonic(), 0.0)

    def try_acquire(self) -> LeaseState:
        """Renew our lease, or take it if it is free or expired."""
        started = self._monotonic()
        was_held = self.held
        now = self._clock()
        with self._session_factory() as session:
            before = session.execute(
                select(NudgeLease.holder, NudgeLease.renewed_at, NudgeLease.expires_at).where(
                    NudgeLease.name == self.name
                )
            ).first()
        if before is None:
            with self._session_factory() as session, session.begin():
                insert_ignore(
                    session,
                    NudgeLease.__table__,  # type: ignore[arg-type]
                    [{"name": self.name, "holder": None, "expires_at": EPOCH}],
                )
        with self._session_factory() as session, session.begin():
            # One conditional UPDATE decides: both databases re-check the WHERE clause under
            # the row's write lock, so two contenders cannot both win.
            result = session.execute(
                update(NudgeLease)
                .where(
                    NudgeLease.name == self.name,
                    or_(
                        NudgeLease.holder == self.holder,
                        NudgeLease.holder.is_(None),
                        NudgeLease.expires_at < now,
                    ),
                )
                .values(
                    holder=self.holder,
                    renewed_at=now,
                    expires_at=now + timedelta(seconds=self.ttl),
                    acquired_at=case(
                        (NudgeLease.holder == self.holder, NudgeLease.acquired_at), else_=now
                    ),
                )
                .execution_options(synchronize_session=False)
            )
            won = bool(getattr(result, "rowcount", 0))
        with self._lock:
            self._valid_until = started + self.ttl if won else 0.0
        if not won:
            return LeaseState(held=False, acquired=False, holder=before[0] if before else None)
        acquired = not was_held
        gap_since = None
        if acquired and before is not None and before[1] is not None:
            gap_since = maybe_aware(before[1])
        return LeaseState(held=True, acquired=acquired, holder=self.holder, gap_since=gap_since)

    def release(self) -> None:
        """Give the lease up at once (a clean shutdown), so a successor need not wait."""
        with self._lock:
            self._valid_until = 0.0
        with self._session_factory() as session, session.begin():
            session.execute(
                update(NudgeLease)
                .where(NudgeLease.name == self.name, NudgeLease.holder == self.holder)
                .values(holder=None, expires_at=EPOCH)
                .execution_options(synchronize_session=False)
            )
