"""Reading what the bot stored, for assertions on real rows."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import PainPoint, SlackEvent
from bot.db.session import SessionFactory


def painpoints(session_factory: SessionFactory) -> list[PainPoint]:
    """Every stored pain point, oldest first."""
    with session_factory() as session:
        return list(session.scalars(select(PainPoint).order_by(PainPoint.id)))


def count_painpoints(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(PainPoint)) or 0


def count_events(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(SlackEvent)) or 0
