"""Claims on requests already acted on: a replayed submission or click creates nothing twice."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.db.models import RequestClaim
from bot.db.session import SessionFactory, writer_lock
from bot.domain.time import utc_now

# Slack's signatures are good for five minutes, so a replay can only come within that time;
# claims are kept a while longer, then swept.
KEEP_CLAIMS = timedelta(hours=1)
SWEEP_EVERY = 500


class RequestClaims:
    """Records that a request was handled; the first claim of a key wins."""

    def __init__(
        self, session_factory: SessionFactory, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._count = itertools.count(1)

    def claim(self, key: str) -> bool:
        """True the first time `key` is claimed, False for every replay of it."""
        now = self._clock()
        with writer_lock(self._session_factory), self._session_factory() as session:
            try:
                with session.begin():
                    session.add(RequestClaim(key=key[:200], claimed_at=now))
            except IntegrityError:
                return False
            if next(self._count) % SWEEP_EVERY == 0:
                with session.begin():
                    session.execute(
                        delete(RequestClaim).where(RequestClaim.claimed_at < now - KEEP_CLAIMS)
                    )
        return True
