"""Tables for pilots: the pilot, its KPIs, values logged by hand, and pulse answers.

Schema changes only through Alembic migrations under migrations/versions.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base
from bot.db.models import utcnow
from bot.db.nudge_models import NudgeDelivery  # noqa: F401  (the pulse tables refer to it)


class Pilot(Base):
    """A small experiment on one theme, with an owner, KPIs, dates and a verdict."""

    __tablename__ = "pilots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # History outlives the theme: a merged theme leaves the pilot with its title.
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), default=None, index=True
    )
    theme_title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(32))
    objective: Mapped[str] = mapped_column(Text)
    # running → closed (a pilot before its start date is shown as planned).
    status: Mapped[str] = mapped_column(String(16), default="running")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    pulse: Mapped[str] = mapped_column(String(16), default="weekly")
    # Named people (U…) and user groups (S…); the theme's opted-in reporters when asked.
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    include_reporters: Mapped[bool] = mapped_column(Boolean, default=True)
    # The outbox campaigns that carry its DMs: the weekly pulse, the start and the close.
    pulse_campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("nudge_campaigns.id", ondelete="SET NULL"), default=None
    )
    closing_campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("nudge_campaigns.id", ondelete="SET NULL"), default=None
    )
    verdict: Mapped[str | None] = mapped_column(String(16), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    closed_by: Mapped[str | None] = mapped_column(String(32), default=None)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    __table_args__ = (Index("ix_pilots_status", "status"),)


class PilotKpi(Base):
    """One KPI of a pilot: built in (reports, hours) or custom; baseline and target."""

    __tablename__ = "pilot_kpis"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(32))
    # None: taken from the theme's history at each reading (until someone sets one).
    baseline: Mapped[float | None] = mapped_column(Float, default=None)
    target: Mapped[float | None] = mapped_column(Float, default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("pilot_id", "name"),)


class PilotKpiValue(Base):
    """A value of a custom KPI, logged by the owner for a day."""

    __tablename__ = "pilot_kpi_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("pilot_kpis.id", ondelete="CASCADE"), index=True)
    value: Mapped[float] = mapped_column(Float)
    on_date: Mapped[date] = mapped_column(Date)
    logged_by: Mapped[str] = mapped_column(String(32))
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PilotPulseAnswer(Base):
    """A participant's answer to one pulse: one row per delivered pulse, the latest tap wins.

    The respondent is a keyed pseudonym, as for reporters: answers are counted per person,
    never shown per person.
    """

    __tablename__ = "pilot_pulse_answers"

    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("nudge_deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"))
    respondent: Mapped[str] = mapped_column(String(64))
    hours: Mapped[float] = mapped_column(Float)
    week: Mapped[date] = mapped_column(Date)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_pilot_pulse_answers_pilot_id_week", "pilot_id", "week"),)
