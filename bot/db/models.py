"""The tables. Schema changes only through Alembic migrations under migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class PainPoint(Base):
    """One scrubbed, pseudonymous report of something that slows somebody down."""

    __tablename__ = "painpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text, default=None)
    text_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32), default=None)
    frequency: Mapped[str | None] = mapped_column(String(16), default=None)
    hours_per_week: Mapped[float | None] = mapped_column(Float, default=None)
    team: Mapped[str | None] = mapped_column(String(80), default=None)
    reporter: Mapped[str] = mapped_column(String(64))
    # The raw Slack user id is kept only when the reporter asked to be kept posted.
    notify_user_id: Mapped[str | None] = mapped_column(String(32), default=None)
    keep_posted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The ts of the DM that created this row, so replies in its thread add detail.
    thread_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        Index("ix_painpoints_reporter_created_at", "reporter", "created_at"),
        Index("ix_painpoints_reporter_thread_ts", "reporter", "thread_ts"),
        Index("ix_painpoints_created_at", "created_at"),
    )


class SlackEvent(Base):
    """An Events API delivery already handled; its primary key makes retries harmless."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
