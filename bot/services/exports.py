"""`painpoint export --what concerns|deliveries`: plain records without Slack user ids."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import select

from bot.db.nudge_models import Concern, NudgeDelivery
from bot.db.session import SessionFactory
from bot.domain.time import aware, maybe_aware
from bot.privacy.pseudonym import reporter_pseudonym
from bot.settings import Settings

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


def concern_records(session_factory: SessionFactory) -> Iterator[dict[str, Any]]:
    """Every concern: scrubbed text, pseudonymous reporter, and whether they gave their name."""
    with session_factory() as session:
        clean = select(Concern).where(Concern.pending_scrub.is_(False))
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
        rows = session.scalars(select(NudgeDelivery).order_by(NudgeDelivery.id)).yield_per(1000)
        for row in rows:
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
                "rating": row.rating,
                "done": row.done_at is not None,
                "quiz_correct": row.quiz_correct,
            }


def export_concerns(session_factory: SessionFactory, settings: Settings) -> Exported:
    """The `concerns` exporter for `painpoint export`."""
    del settings
    return concern_records(session_factory), CONCERN_FIELDS


def export_deliveries(session_factory: SessionFactory, settings: Settings) -> Exported:
    """The `deliveries` exporter for `painpoint export` (needs PAINPOINT_SECRET_KEY)."""
    if settings.secret_key is None:
        # Only the command line calls exporters: one line naming the setting, exit code 2.
        sys.stderr.write(
            "painpoint: PAINPOINT_SECRET_KEY is not set; it pseudonymises recipients\n"
        )
        raise SystemExit(2)
    return delivery_records(session_factory, settings.secret_key), DELIVERY_FIELDS
