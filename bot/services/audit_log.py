"""The read audit: every manager and trainer read of employees' data and every export, with
who, what and when, and the log itself for `painpoint audit-log`.

A read is recorded before its data is shown and in its own transaction: if the record cannot
be written the read fails too, so nothing is seen that the log does not show.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.db.models import ReadAudit
from bot.db.session import SessionFactory, writer_lock
from bot.domain.privacy import READ_SURFACES, ReadEntry
from bot.domain.time import aware

MAX_ACTOR = 64
MAX_SURFACE = 32


def cli_actor() -> str:
    """Who runs a command on the server: the operating-system login (`cli:<login>`)."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers run as an anonymous uid)
        login = "unknown"
    return f"cli:{login}"


class ReadAuditLog:
    """Records reads and lists them, oldest first."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def record(self, actor: str, surface: str, **detail: Any) -> None:
        """Log that `actor` read `surface`; `detail` says what (period, team, theme, …)."""
        if surface not in READ_SURFACES:
            raise ValueError(f"unknown read surface {surface!r}")
        row = ReadAudit(
            actor=actor[:MAX_ACTOR],
            surface=surface[:MAX_SURFACE],
            detail={key: value for key, value in detail.items() if value is not None},
            at=self._clock(),
        )
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            session.add(row)

    def entries(
        self, *, since: datetime | None = None, limit: int | None = None
    ) -> list[ReadEntry]:
        """Reads since `since` (all without), oldest first; the newest `limit` when given."""
        query = select(ReadAudit)
        if since is not None:
            query = query.where(ReadAudit.at >= since)
        if limit is not None:
            query = query.order_by(ReadAudit.at.desc(), ReadAudit.id.desc()).limit(limit)
        with self._session_factory() as session:
            rows = list(session.scalars(query))
        rows.sort(key=lambda row: (aware(row.at), row.id))
        return [
            ReadEntry(
                id=row.id,
                actor=row.actor,
                surface=row.surface,
                detail=dict(row.detail or {}),
                at=aware(row.at),
            )
            for row in rows
        ]
