"""Reading what the bot stored, for assertions on real rows."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import PainPoint, SlackEvent
from bot.db.session import SessionFactory
from bot.privacy.scrub import default_scrubber
from bot.services.privacy import PrivacyStep
from tests.conftest import SECRET_KEY


def scrubbed(session_factory: SessionFactory, secret_key: str = SECRET_KEY) -> None:
    """Let the privacy step finish: the full scrub of everything still stored sealed (the
    app's background thread does the same; whichever comes second finds nothing to do)."""
    PrivacyStep(
        session_factory,
        secret_key=secret_key,
        full_scrub=lambda texts: [default_scrubber().full(text) for text in texts],
    ).sweep()


def painpoints(session_factory: SessionFactory, *, sweep: bool = True) -> list[PainPoint]:
    """Every stored pain point once the privacy step has run, oldest first.

    `sweep=False` reads the rows as they are, for tests that watch another process do it.
    """
    if sweep:
        scrubbed(session_factory)
    with session_factory() as session:
        return list(session.scalars(select(PainPoint).order_by(PainPoint.id)))


def count_painpoints(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(PainPoint)) or 0


def count_events(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(SlackEvent)) or 0
