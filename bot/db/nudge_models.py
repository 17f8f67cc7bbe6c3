"""Tables for training nudges: campaigns, runs, the delivery outbox, recipients, concerns, lease.

Schema changes only through Alembic migrations under migrations/versions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base
from bot.db.models import utcnow

APSCHEDULER_TABLE = "apscheduler_jobs"

# APScheduler's SQLAlchemyJobStore table, declared here so that the migration creates it (the
# job store's own create-if-missing then finds it) and autogenerate does not try to drop it.
# Column types match apscheduler.jobstores.sqlalchemy exactly.
apscheduler_jobs = Table(
    APSCHEDULER_TABLE,
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class NudgeCampaign(Base):
    """A lesson or track scheduled for an audience by a trainer (or the command line)."""

    __tablename__ = "nudge_campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_id: Mapped[str | None] = mapped_column(String(64), default=None)
    track_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # The lesson ids sent, in order, fixed when the campaign is created (a track file edited
    # later does not change a running campaign).
    lessons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Slack ids (U…, W…, C…, G…, S…) and `theme:<id>` entries, resolved at each run.
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)
    # bot.domain.schedule.Schedule.to_dict()
    schedule: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by: Mapped[str] = mapped_column(String(32))
    # Occurrences up to this instant have runs; the scheduler continues after it.
    processed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    __table_args__ = (Index("ix_nudge_campaigns_status", "status"),)


class NudgeRun(Base):
    """One occurrence of a campaign; unique per campaign and occurrence key."""

    __tablename__ = "nudge_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("nudge_campaigns.id", ondelete="CASCADE"), index=True
    )
    run_key: Mapped[str] = mapped_column(String(64))
    step: Mapped[int] = mapped_column(Integer, default=0)
    lesson_id: Mapped[str] = mapped_column(String(64))
    expand_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # expanding → expanded; or missed (too late to send) / cancelled.
    status: Mapped[str] = mapped_column(String(16), default="expanding")
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expanded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    __table_args__ = (UniqueConstraint("campaign_id", "run_key"),)


class NudgeDelivery(Base):
    """The outbox: one nudge for one recipient of one run, sent at most once."""

    __tablename__ = "nudge_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("nudge_runs.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("nudge_campaigns.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[str] = mapped_column(String(64))
    step: Mapped[int] = mapped_column(Integer, default=0)
    recipient: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # pending → sending → sent; or failed / skipped (paused) / missed / cancelled.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(128), default=None)
    sending_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    channel: Mapped[str | None] = mapped_column(String(32), default=None)
    ts: Mapped[str | None] = mapped_column(String(32), default=None)
    error: Mapped[str | None] = mapped_column(String(64), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Feedback on it lives in NudgeFeedback, under the recipient's pseudonym.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        UniqueConstraint("run_id", "recipient"),
        Index("ix_nudge_deliveries_status_due_at", "status", "due_at"),
    )


class NudgeFeedback(Base):
    """A recipient's feedback on one nudge: rating, done, quiz answer — one row per delivery
    (repeated clicks count once), stored under the recipient's keyed pseudonym, never their
    Slack id, so that erasing a person finds it and exports never show who answered."""

    __tablename__ = "nudge_feedback"

    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("nudge_deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("nudge_campaigns.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[str] = mapped_column(String(64))
    respondent: Mapped[str] = mapped_column(String(64), index=True)
    rating: Mapped[str | None] = mapped_column(String(16), default=None)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    quiz_answer: Mapped[int | None] = mapped_column(Integer, default=None)
    quiz_correct: Mapped[bool | None] = mapped_column(Boolean, default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NudgeRecipient(Base):
    """What the bot knows about a nudge recipient: time zone, DM channel, pause choice."""

    __tablename__ = "nudge_recipients"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tz: Mapped[str | None] = mapped_column(String(64), default=None)
    tz_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    im_channel: Mapped[str | None] = mapped_column(String(32), default=None)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Concern(Base):
    """A scrubbed, pseudonymous concern about AI at work, raised from a nudge."""

    __tablename__ = "nudge_concerns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(32))
    reporter: Mapped[str] = mapped_column(String(64))
    # Kept only when the person chose to put their name to it.
    named_user_id: Mapped[str | None] = mapped_column(String(32), default=None)
    # Where it was raised; never the delivery, which would tie it to a Slack user.
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("nudge_campaigns.id", ondelete="SET NULL"), default=None, index=True
    )
    lesson_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The theme engine's view of the row, as for pain points.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    embedding_model: Mapped[str | None] = mapped_column(String(200), default=None)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), default=None, index=True
    )
    # As for pain points: text waiting for the full scrub, encrypted, never shown while set.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    pending_scrub: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Set when the retention job removed the text; topic and dates still count.
    text_removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    __table_args__ = (Index("ix_nudge_concerns_reporter_created_at", "reporter", "created_at"),)


class NudgeLease(Base):
    """Who may schedule and dispatch nudges right now; taken over once `expires_at` passes."""

    __tablename__ = "nudge_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128), default=None)
    acquired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    renewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
