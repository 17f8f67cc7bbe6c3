"""The recipient's side of a nudge: what their own delivery shows, their ratings, done marks
and quiz answers (stored under their pseudonym), and pausing. Each method owns its transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.nudge_models import NudgeCampaign, NudgeDelivery, NudgeFeedback, NudgeRecipient
from bot.db.session import SessionFactory
from bot.db.upsert import insert_ignore, upsert
from bot.domain.lessons import Library
from bot.domain.nudges import RATINGS, DeliveryContext, NudgeState
from bot.services.concerns import ConcernService


class RecipientFeedback:
    """The recipient's side of `NudgeService` (mixed into it, which sets these attributes)."""

    _session_factory: SessionFactory
    library: Library
    concerns: ConcernService
    _clock: Callable[[], datetime]

    def context(self, delivery_id: int, user_id: str) -> DeliveryContext | None:
        """The recipient's own delivered nudge (None for anybody else's)."""
        with self._session_factory() as session:
            row = session.execute(
                select(NudgeDelivery, NudgeCampaign.track_id, NudgeCampaign.lessons, NudgeFeedback)
                .join(NudgeCampaign, NudgeCampaign.id == NudgeDelivery.campaign_id)
                .outerjoin(NudgeFeedback, NudgeFeedback.delivery_id == NudgeDelivery.id)
                .where(NudgeDelivery.id == delivery_id, NudgeDelivery.recipient == user_id)
            ).first()
            paused = bool(
                session.scalar(
                    select(NudgeRecipient.paused).where(NudgeRecipient.user_id == user_id)
                )
            )
        if row is None:
            return None
        delivery, track_id, lessons, feedback = row
        track = self.library.track(track_id) if track_id else None
        total = len(lessons or [])
        return DeliveryContext(
            delivery_id=delivery.id,
            campaign_id=delivery.campaign_id,
            lesson=self.library.lesson(delivery.lesson_id),
            state=NudgeState(
                rating=feedback.rating if feedback else None,
                done=bool(feedback and feedback.done_at is not None),
                quiz_answer=feedback.quiz_answer if feedback else None,
                quiz_correct=feedback.quiz_correct if feedback else None,
                paused=paused,
            ),
            channel=delivery.channel,
            ts=delivery.ts,
            step=(delivery.step + 1, total) if total > 1 else None,
            track_title=(track.title if track else track_id) if track_id else None,
        )

    def give_feedback(
        self, delivery_id: int, user_id: str, kind: str, *, team_id: str = "T0"
    ) -> DeliveryContext | None:
        """Helpful / not for me (the latest choice counts) or done; repeats change nothing.

        Stored under the recipient's pseudonym (`team_id` is the request's team key).
        """
        if kind not in RATINGS and kind != "done":
            raise ValueError(f"unknown feedback {kind!r}")
        now = self._clock()
        f = NudgeFeedback
        with self._session_factory() as session, session.begin():
            if not self._open_feedback(session, delivery_id, user_id, team_id, now):
                return None
            if kind in RATINGS:
                result = session.execute(
                    update(f)
                    .where(f.delivery_id == delivery_id, f.rating.is_(None) | (f.rating != kind))
                    .values(rating=kind, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
            else:
                result = session.execute(
                    update(f)
                    .where(f.delivery_id == delivery_id, f.done_at.is_(None))
                    .values(done_at=now, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
            changed = bool(getattr(result, "rowcount", 0))
        context = self.context(delivery_id, user_id)
        if context is None:
            return None
        return _replace_context(context, changed=changed)

    def answer_quiz(
        self, delivery_id: int, user_id: str, answer: int, *, team_id: str = "T0"
    ) -> DeliveryContext | None:
        """Record the first answer only (so quiz stats measure what people knew)."""
        context = self.context(delivery_id, user_id)
        if context is None or context.lesson is None or context.lesson.quiz is None:
            return context
        quiz = context.lesson.quiz
        if not 0 <= answer < len(quiz.options):
            return _replace_context(context, changed=False)
        now = self._clock()
        f = NudgeFeedback
        with self._session_factory() as session, session.begin():
            if not self._open_feedback(session, delivery_id, user_id, team_id, now):
                return None
            result = session.execute(
                update(f)
                .where(f.delivery_id == delivery_id, f.quiz_answer.is_(None))
                .values(quiz_answer=answer, quiz_correct=answer == quiz.answer, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            changed = bool(getattr(result, "rowcount", 0))
        updated = self.context(delivery_id, user_id)
        assert updated is not None
        return _replace_context(updated, changed=changed, quiz_result=updated.state.quiz_correct)

    def _open_feedback(
        self, session: Session, delivery_id: int, user_id: str, team_id: str, now: datetime
    ) -> bool:
        """Make sure the recipient's own delivery has its feedback row; False if not theirs."""
        owned = session.execute(
            select(NudgeDelivery.campaign_id, NudgeDelivery.lesson_id).where(
                NudgeDelivery.id == delivery_id, NudgeDelivery.recipient == user_id
            )
        ).first()
        if owned is None:
            return False
        insert_ignore(
            session,
            NudgeFeedback.__table__,  # type: ignore[arg-type]
            [
                {
                    "delivery_id": delivery_id,
                    "campaign_id": owned.campaign_id,
                    "lesson_id": owned.lesson_id,
                    "respondent": self.concerns.pseudonym(team_id, user_id),
                    "updated_at": now,
                }
            ],
        )
        return True

    def is_paused(self, user_id: str) -> bool:
        """True when the user paused nudges."""
        with self._session_factory() as session:
            return bool(
                session.scalar(
                    select(NudgeRecipient.paused).where(NudgeRecipient.user_id == user_id)
                )
            )

    def set_paused(self, user_id: str, paused: bool) -> None:
        """Pause or resume; the dispatcher checks this in the same statement that claims a send."""
        now = self._clock()
        with self._session_factory() as session, session.begin():
            upsert(
                session,
                NudgeRecipient.__table__,  # type: ignore[arg-type]
                [
                    {
                        "user_id": user_id,
                        "paused": paused,
                        "paused_at": now if paused else None,
                        "updated_at": now,
                    }
                ],
                key=["user_id"],
                update=["paused", "paused_at", "updated_at"],
            )


def _replace_context(
    context: DeliveryContext, *, changed: bool, quiz_result: bool | None = None
) -> DeliveryContext:
    return replace(context, changed=changed, quiz_result=quiz_result)
