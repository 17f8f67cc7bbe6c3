"""The tables. Schema changes only through Alembic migrations under migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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
    # The audit lens when the reporter chose none (`category`), or a manager overrode it;
    # `lens_source` says who: suggested (by the model) or manager (see bot.domain.lenses).
    lens: Mapped[str | None] = mapped_column(String(32), default=None)
    lens_source: Mapped[str | None] = mapped_column(String(16), default=None)
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
    # The theme engine's view of the row: its vector (float32 bytes), the model that made it,
    # and the theme it belongs to (None while unassigned).
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    embedding_model: Mapped[str | None] = mapped_column(String(200), default=None)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), default=None, index=True
    )
    # A manager's decision (a move, a merge, a split): the report stays in this theme across
    # re-clusterings, whatever the engine finds.
    pinned_theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), default=None, index=True
    )
    # Text not yet through the full scrub (names, addresses), encrypted with a key derived
    # from PAINPOINT_SECRET_KEY: it is never on disk in the clear. Cleared by the privacy step,
    # which then writes `text`/`details`; nobody else sees a row while it is set.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    pending_scrub: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Set when the retention job removed the text (and its vector): the row still counts
    # under its theme, lens and dates (see bot.services.retention).
    text_removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

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


class Theme(Base):
    """A recurring problem found by the theme engine; its id survives re-clustering."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="painpoint")
    title: Mapped[str] = mapped_column(String(200))
    # A title or status a manager set is kept across re-clusterings.
    title_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="new")
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    # How close (cosine) a new report must be to the centroid to join between re-clusterings;
    # learned by the engine per theme (None: the engine gave none, the report waits).
    join_threshold: Mapped[float | None] = mapped_column(Float, default=None)
    size: Mapped[int] = mapped_column(Integer, default=0)
    reporters: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    __table_args__ = (Index("ix_themes_kind_active", "kind", "active"),)


class ThemeEvent(Base):
    """Theme history: creation, merges, splits, status and title changes (who and when)."""

    __tablename__ = "theme_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    actor: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ClusteringRun(Base):
    """One full re-clustering: when, on how much, with which model, and what it found."""

    __tablename__ = "clustering_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="painpoint")
    model: Mapped[str] = mapped_column(String(200))
    items: Mapped[int] = mapped_column(Integer, default=0)
    themes: Mapped[int] = mapped_column(Integer, default=0)
    unassigned: Mapped[int] = mapped_column(Integer, default=0)
    kept_ids_fraction: Mapped[float | None] = mapped_column(Float, default=None)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ThemeAlert(Base):
    """The channel message announcing a theme's spike, updated while the same spike lasts."""

    __tablename__ = "theme_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    reports_this_week: Mapped[int] = mapped_column(Integer, default=0)
    # The reports the message quotes: when one is erased, the message is redone or withdrawn.
    quoted_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True, default=list)
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RequestClaim(Base):
    """A view submission or button click already acted on: replays within Slack's window are
    recognised by this key and create nothing twice."""

    __tablename__ = "request_claims"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class ReadAudit(Base):
    """Who read what: every manager and trainer view of data and every CLI export."""

    __tablename__ = "read_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    surface: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class PseudonymScope(Base):
    """A team key reporters were pseudonymised under ("E:<org>", a workspace id, "T0").

    Not personal data: it lets an erasure recompute a person's pseudonym under every key
    they could have (see bot.services.erasure), without keeping anyone's Slack id.
    """

    __tablename__ = "pseudonym_scopes"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
