"""`painpoint export --what concerns|deliveries`: plain records without Slack user ids."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import func, select

from bot.db.nudge_models import Concern, NudgeDelivery, NudgeFeedback
from bot.db.session import SessionFactory
from bot.domain.time import aware, maybe_aware
from bot.privacy.pseudonym import reporter_pseudonym

Exported = tuple[Iterable[dict[str, Any]], Sequence[str]]
CONCERN_FIELDS = (
    "id",
    "text",
    "topic",
    "reporter",
    "named",
    "campaign_id",
    "lesson_id",
    "created_at",
)
DELIVERY_FIELDS = (
    "id",
    "campaign_id",
    "run_id",
    "lesson_id",
    "recipient",
    "status",
    "error",
    "attempts",
    "due_at",
    "sent_at",
    "rating",
    "done",
    "quiz_correct",
)


def _iso(value: Any) -> str | None:
    moment = maybe_aware(value)
    return moment.isoformat() if moment is not None else None


def concern_records(
    session_factory: SessionFactory, *, min_reporters: int | None = None
) -> Iterator[dict[str, Any]]:
    """Every concern: scrubbed text, pseudonymous reporter, and whether they gave their name.

    With `min_reporters`, only concerns of a topic raised by at least that many distinct
    people (the minimum-reporter rule, as `/nudge concerns` applies it).
    """
    with session_factory() as session:
        clean = select(Concern).where(Concern.pending_scrub.is_(False))
        if min_reporters is not None:
            shared = (
                select(Concern.topic)
                .where(Concern.pending_scrub.is_(False))
                .group_by(Concern.topic)
                .having(func.count(func.distinct(Concern.reporter)) >= min_reporters)
            )
            clean = clean.where(Concern.topic.in_(shared))
        for row in session.scalars(clean.order_by(Concern.id)).yield_per(1000):
            yield {
                "id": row.id,
                "text": row.text,
                "topic": row.topic,
                "reporter": row.reporter,
                "named": row.named_user_id is not None,
                "campaign_id": row.campaign_id,
                "lesson_id": row.lesson_id,
                "created_at": aware(row.created_at).isoformat(),
            }


def delivery_records(session_factory: SessionFactory, secret_key: str) -> Iterator[dict[str, Any]]:
    """Every delivery, its recipient as the same keyed pseudonym pain points use."""
    with session_factory() as session:
        rows = session.execute(
            select(NudgeDelivery, NudgeFeedback)
            .outerjoin(NudgeFeedback, NudgeFeedback.delivery_id == NudgeDelivery.id)
            .order_by(NudgeDelivery.id)
        ).yield_per(1000)
        for row, feedback in rows:
            yield {
                "id": row.id,
                "campaign_id": row.campaign_id,
                "run_id": row.run_id,
                "lesson_id": row.lesson_id,
                # The team is not stored with deliveries; "T0" keeps pseudonyms stable.
                "recipient": reporter_pseudonym(secret_key, "T0", row.recipient),
                "status": row.status,
                "error": row.error,
                "attempts": row.attempts,
                "due_at": _iso(row.due_at),
                "sent_at": _iso(row.sent_at),
                "rating": feedback.rating if feedback else None,
                "done": bool(feedback and feedback.done_at is not None),
                "quiz_correct": feedback.quiz_correct if feedback else None,
            }
