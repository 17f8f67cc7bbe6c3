"""Engagement with one campaign: deliveries, ratings, done marks, quiz answers and concerns,
per lesson and in total, with concern counts hidden below the minimum-reporter rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.db.nudge_models import Concern, NudgeCampaign, NudgeDelivery, NudgeFeedback
from bot.db.session import SessionFactory
from bot.domain.lessons import Library
from bot.domain.nudges import CampaignStats, CampaignView, LessonStats


def campaign_stats(
    session_factory: SessionFactory, library: Library, view: CampaignView, *, min_reporters: int
) -> CampaignStats:
    """Delivered, helpful %, done %, quiz correct %, concerns — per lesson and in total."""
    with session_factory() as session:
        lessons_order = (
            session.scalar(select(NudgeCampaign.lessons).where(NudgeCampaign.id == view.id)) or []
        )
        rows = _engagement_by_lesson(session, view.id)
        concerns = _concerns_by_lesson(session, view.id)
        total_concern_people = _concern_people(session, view.id)
        hidden = [lesson for lesson, (_, people) in concerns.items() if people < min_reporters]
        hidden_people = _concern_people(session, view.id, hidden) if hidden else min_reporters
    by_lesson = {row[0]: row for row in rows}
    ordered = list(dict.fromkeys([*lessons_order, *by_lesson]))
    lesson_stats = [
        _lesson_stats(
            library,
            lesson_id,
            by_lesson.get(lesson_id),
            concerns.get(lesson_id, (0, 0)),
            min_reporters,
        )
        for lesson_id in ordered
    ]
    totals = LessonStats(
        lesson_id="*",
        title="All lessons",
        delivered=sum(s.delivered for s in lesson_stats),
        helpful=sum(s.helpful for s in lesson_stats),
        not_for_me=sum(s.not_for_me for s in lesson_stats),
        done=sum(s.done for s in lesson_stats),
        quiz_answered=sum(s.quiz_answered for s in lesson_stats),
        quiz_correct=sum(s.quiz_correct for s in lesson_stats),
        has_quiz=any(s.has_quiz for s in lesson_stats),
        concerns=_total(
            concerns, lesson_stats, int(total_concern_people), int(hidden_people), min_reporters
        ),
    )
    return CampaignStats(
        campaign=view, totals=totals, lessons=lesson_stats, min_reporters=min_reporters
    )


def _engagement_by_lesson(session: Session, campaign_id: int) -> Sequence[Any]:
    """Per lesson: (lesson id, delivered, helpful, not for me, done, quiz answered, correct)."""
    d, f = NudgeDelivery, NudgeFeedback
    sent = d.status == "sent"
    return session.execute(
        select(
            d.lesson_id,
            func.count(case((sent, 1))),
            func.count(case(((f.rating == "helpful") & sent, 1))),
            func.count(case(((f.rating == "not_for_me") & sent, 1))),
            func.count(case((f.done_at.is_not(None) & sent, 1))),
            func.count(case((f.quiz_answer.is_not(None), 1))),
            func.count(case((f.quiz_correct.is_(True), 1))),
        )
        # At most one feedback row per delivery, so deliveries are counted once.
        .outerjoin(f, f.delivery_id == d.id)
        .where(d.campaign_id == campaign_id)
        .group_by(d.lesson_id)
    ).all()


def _concerns_by_lesson(session: Session, campaign_id: int) -> dict[str | None, tuple[int, int]]:
    """Per lesson: (concerns raised, distinct people who raised them)."""
    rows = session.execute(
        select(Concern.lesson_id, func.count(), func.count(func.distinct(Concern.reporter)))
        .where(Concern.campaign_id == campaign_id)
        .group_by(Concern.lesson_id)
    ).all()
    return {lesson: (int(n), int(people)) for lesson, n, people in rows}


def _concern_people(
    session: Session, campaign_id: int, lessons: Sequence[str | None] | None = None
) -> int:
    """Distinct people who raised any concern in the campaign (on these lessons, if given)."""
    query = select(func.count(func.distinct(Concern.reporter))).where(
        Concern.campaign_id == campaign_id
    )
    if lessons is not None:
        query = query.where(Concern.lesson_id.in_([lesson for lesson in lessons if lesson]))
    return session.scalar(query) or 0


def _lesson_stats(
    library: Library,
    lesson_id: str,
    row: Any | None,
    concerns: tuple[int, int],
    min_reporters: int,
) -> LessonStats:
    lesson = library.lesson(lesson_id)
    number, people = concerns
    return LessonStats(
        lesson_id=lesson_id,
        title=lesson.title if lesson else lesson_id,
        delivered=int(row[1]) if row else 0,
        helpful=int(row[2]) if row else 0,
        not_for_me=int(row[3]) if row else 0,
        done=int(row[4]) if row else 0,
        quiz_answered=int(row[5]) if row else 0,
        quiz_correct=int(row[6]) if row else 0,
        has_quiz=bool(lesson and lesson.quiz),
        concerns=_shown(number, people, min_reporters),
    )


def _total(
    concerns: dict[str | None, tuple[int, int]],
    lessons: Sequence[LessonStats],
    people: int,
    hidden_people: int,
    min_reporters: int,
) -> int | None:
    """The campaign's concerns; when the lessons hidden below the minimum are backed by fewer
    than k people together, only the shown lessons' (the total minus the shown ones would
    give the hidden count away)."""
    total = _shown(sum(n for n, _ in concerns.values()), people, min_reporters)
    if total is None or hidden_people >= min_reporters:
        return total
    return sum(lesson.concerns or 0 for lesson in lessons) or None


def _shown(number: int, people: int, min_reporters: int) -> int | None:
    # Concern counts are hidden below the minimum: with few recipients a count of one would
    # say who raised it.
    return number if people >= min_reporters or number == 0 else None
