"""Times are stored in UTC; SQLite hands them back without a zone."""

from __future__ import annotations

from datetime import UTC, datetime


def aware(moment: datetime) -> datetime:
    """The same instant with its UTC zone attached when the database dropped it."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def maybe_aware(moment: datetime | None) -> datetime | None:
    """`aware` for optional values."""
    return aware(moment) if moment is not None else None


def utc_now() -> datetime:
    """Now, in UTC (the default clock of every service)."""
    return datetime.now(UTC)
