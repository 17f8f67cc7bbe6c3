"""The prioritised audit's sections, built next to the themes they rank (reports only)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.nudge_models import NudgeCampaign, NudgeDelivery
from bot.db.pilot_models import Pilot
from bot.db.session import SessionFactory
from bot.domain.audit import (
    AuditSections,
    ReportFact,
    TrainingEffect,
    before_after,
    candidates,
    lens_slices,
    participation,
    rank,
)
from bot.domain.pilots import outbox_kind
from bot.domain.themes import Suggestion, ThemeSummary
from bot.domain.time import aware
from bot.services.pilot_kpis import pilot_views, theme_reports

# Theme ids → the lessons that match each theme (the suggester's `for_themes`).
LessonMatches = Callable[[Sequence[int]], Mapping[int, Sequence[Suggestion]]]


def build_audit(
    session_factory: SessionFactory,
    *,
    facts: Sequence[ReportFact],
    themes: Sequence[ThemeSummary],
    min_reporters: int,
    now: datetime,
    known_teams: Sequence[str] = (),
    lesson_matches: LessonMatches | None = None,
) -> AuditSections:
    """Shortlist, lens sections, participation, pilots and training effects.

    `lesson_matches` gives each theme its matching lessons: a lesson sent to everyone (not
    only to a theme's reporters) then counts for the themes it matches."""
    with session_factory() as session:
        pilots = pilot_views(
            session,
            list(session.scalars(select(Pilot).order_by(Pilot.id.desc()))),
            min_reporters=min_reporters,
            today=now.date(),
        )
        training = _training(session, themes, min_reporters, now, lesson_matches)
    running = {
        p.theme_id: (p.id, p.status)
        for p in reversed(pilots)
        if p.theme_id is not None and p.status != "closed"
    }
    priorities = rank(themes, running)
    lenses, hidden = lens_slices(facts, priorities, min_reporters)
    return AuditSections(
        priorities=priorities,
        lenses=lenses,
        participation=participation(facts, min_reporters, known_teams),
        pilots=pilots,
        candidates=candidates(priorities),
        training=training,
        hidden_lens_reports=hidden,
    )


def _training(
    session: Session,
    themes: Sequence[ThemeSummary],
    k: int,
    now: datetime,
    lesson_matches: LessonMatches | None,
) -> list[TrainingEffect]:
    """Themes whose lesson was sent to their reporters, or a matching lesson to a wider
    audience: weekly reports before and after the first send."""
    shown = {t.id: t for t in themes}
    first_sent = _first_sends(session, set(shown), lesson_matches)
    if not first_sent:
        return []
    reports = theme_reports(session, sorted({theme_id for theme_id, _ in first_sent}))
    effects = []
    for (theme_id, lesson), sent_at in sorted(first_sent.items(), key=lambda kv: kv[1]):
        dated = [(at, who) for at, who, _ in reports.get(theme_id, [])]
        before, after = before_after(dated, sent_at, now, k)
        effects.append(
            TrainingEffect(
                theme_id=theme_id,
                title=shown[theme_id].title,
                lesson=lesson,
                sent_at=sent_at,
                before=before[0],
                after=after[0],
                before_weeks=before[1],
                after_weeks=after[1],
                before_note=before[2],
                after_note=after[2],
            )
        )
    return effects


def _first_sends(
    session: Session, shown: set[int], lesson_matches: LessonMatches | None
) -> dict[tuple[int, str], datetime]:
    """(theme, lesson) → when the lesson first reached that theme's reporters or everyone."""
    first_sent: dict[tuple[int, str], datetime] = {}
    # Grouped by id alone: PostgreSQL cannot group by JSON columns.
    sent = dict(
        session.execute(
            select(NudgeDelivery.campaign_id, func.min(NudgeDelivery.sent_at))
            .where(NudgeDelivery.status == "sent")
            .group_by(NudgeDelivery.campaign_id)
        ).all()
    )
    if not sent:
        return first_sent
    campaigns = session.execute(
        select(NudgeCampaign.id, NudgeCampaign.audience, NudgeCampaign.lessons).where(
            NudgeCampaign.id.in_(list(sent))
        )
    ).all()
    broad: dict[str, datetime] = {}  # lessons sent beyond one theme's reporters
    for campaign_id, audience, lessons in campaigns:
        sent_at = sent[campaign_id]
        lesson = (lessons or [""])[0]
        if sent_at is None or outbox_kind(lesson) is not None:
            continue
        for entry in audience or []:
            theme_id = int(entry[6:]) if entry.startswith("theme:") and entry[6:].isdigit() else 0
            if theme_id in shown:
                key = (theme_id, lesson)
                first_sent[key] = min(first_sent.get(key, aware(sent_at)), aware(sent_at))
            elif not entry.startswith("theme:"):
                broad[lesson] = min(broad.get(lesson, aware(sent_at)), aware(sent_at))
    if broad and lesson_matches is not None:
        for theme_id, matches in lesson_matches(sorted(shown)).items():
            for match in matches:
                if theme_id in shown and match.lesson_id in broad:
                    key = (theme_id, match.lesson_id)
                    when = broad[match.lesson_id]
                    first_sent[key] = min(first_sent.get(key, when), when)
    return first_sent
