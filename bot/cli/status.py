"""`painpoint status`: which process holds the work lease, and whether the schema is current.

Read-only: it never migrates or creates anything. Exit code 0 when a live process holds the
lease (scheduled work is running), 1 when none does, so it can serve as a health check.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import inspect, select

from bot.cli.common import EXIT_FAILURE, out
from bot.cli.database import check_database_location
from bot.cli.errors import redacted
from bot.settings import Settings

LEASE = "nudges"


def collect_status(settings: Settings, *, now: datetime | None = None) -> dict[str, Any]:
    """The facts `painpoint status` prints, as plain data."""
    from bot.db import migrate
    from bot.db.nudge_models import NudgeLease
    from bot.db.session import make_engine, make_session_factory
    from bot.domain.time import maybe_aware

    check_database_location(settings.database_url, create=False)
    now = now or datetime.now(UTC)
    engine = make_engine(settings.database_url)
    try:
        current = migrate.current_revisions(settings.database_url, engine=engine)
        status: dict[str, Any] = {
            "database": redacted(settings.database_url),
            "migrations": {"current": sorted(current), "head": sorted(migrate.head_revisions())},
            "migrated": current == migrate.head_revisions(),
            "lease": None,
        }
        if not inspect(engine).has_table(NudgeLease.__tablename__):
            return status
        with make_session_factory(engine)() as session:
            row = session.scalar(select(NudgeLease).where(NudgeLease.name == LEASE))
        if row is not None and row.holder:
            expires = maybe_aware(row.expires_at)
            renewed = maybe_aware(row.renewed_at)
            status["lease"] = {
                "holder": row.holder,
                "live": expires is not None and expires > now,
                "acquired_at": _iso(maybe_aware(row.acquired_at)),
                "renewed_seconds_ago": None if renewed is None else round((now - renewed).total_seconds(), 1),
                "expires_at": _iso(expires),
            }  # fmt: skip
        return status
    finally:
        engine.dispose()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def status_lines(status: dict[str, Any]) -> list[str]:
    """The status for a terminal, one fact a line."""
    migrations = status["migrations"]
    current = ", ".join(migrations["current"]) or "none"
    lines = [
        f"database     {status['database']}",
        "migrations   "
        + (f"up to date ({current})" if status["migrated"] else f"at {current}; head is "
           + ", ".join(migrations["head"]) + " (run `painpoint db upgrade`)"),
    ]  # fmt: skip
    lease = status["lease"]
    if lease is None or not lease["live"]:
        last = f" (last holder {lease['holder']})" if lease else ""
        lines.append(
            f"work lease   nobody holds it{last}: digests, re-clustering and nudges are not "
            "running; start `painpoint worker` or a `painpoint run` without --no-worker"
        )
        return lines
    host, _, rest = lease["holder"].partition(":")
    pid = rest.partition(":")[0]
    lines.append(
        f"work lease   held by {lease['holder']} (host {host}, pid {pid}) since "
        f"{lease['acquired_at']}; renewed {lease['renewed_seconds_ago']} s ago, "
        f"expires {lease['expires_at']}"
    )
    return lines


def show_status(settings: Settings, *, fmt: str) -> int:
    """Print the status; exit code 1 when no live process holds the lease."""
    status = collect_status(settings)
    if fmt == "json":
        out(json.dumps(status, indent=2))
    else:
        for line in status_lines(status):
            out(line)
    lease = status["lease"]
    return 0 if lease is not None and lease["live"] else EXIT_FAILURE
