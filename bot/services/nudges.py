"""Nudge campaigns for trainers (schedule, list, cancel, stats) and the recipient's side
(feedback, quiz answers, pausing). Each method owns its transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select, update

from bot.db.models import Theme
from bot.db.nudge_models import Concern, NudgeCampaign, NudgeDelivery, NudgeRecipient, NudgeRun
from bot.db.session import SessionFactory
from bot.db.upsert import upsert
from bot.domain.audience import AudienceError, parse_audience
from bot.domain.lessons import Library
from bot.domain.nudges import (
    PAST_TOLERANCE,
    RATINGS,
    WHEN,
    CampaignStats,
    CampaignView,
    DeliveryContext,
    LessonStats,
    NudgeState,
    ScheduleInputError,
    ScheduleRequest,
    ThemeChoice,
)
from bot.domain.schedule import (
    LATEST_OFFSET,
    QuietHours,
    Schedule,
    ScheduleError,
    next_expansion,
    zone,
)
from bot.domain.time import maybe_aware
from bot.services.concerns import ConcernService


class NudgeService:
    """Campaign management and recipient feedback."""

    def __init__(
        self,
        session_factory: SessionFactory,
        library: Library,
        *,
        concerns: ConcernService,
        min_reporters: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_scheduled: Callable[[int], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.library = library
        self.concerns = concerns
        self.min_reporters = min_reporters
        self._clock = clock
        # Called with the new campaign's id, e.g. to wake this process's worker.
        self.on_scheduled = on_scheduled

    # -- scheduling --------------------------------------------------------------------------
    def build_schedule(self, request: ScheduleRequest, *, lessons: int, spacing: int) -> Schedule:
        """Validate the "when" part of a request into a Schedule (ScheduleInputError if not)."""
        now = self._clock()
        errors: dict[str, str] = {}
        if request.when not in WHEN:
            raise ScheduleInputError({"when": "choose now, a date and time, daily or weekly"})
        if zone(request.timezone).key != request.timezone:
            errors["timezone"] = f"unknown time zone {request.timezone!r}"
        quiet = None
        if (request.quiet_start is None) != (request.quiet_end is None):
            errors["quiet_end" if request.quiet_end is None else "quiet_start"] = (
                "give both ends of the quiet hours, or neither"
            )
        elif request.quiet_start is not None and request.quiet_end is not None:
            if request.quiet_start == request.quiet_end:
                errors["quiet_end"] = "quiet hours must end at a different time than they start"
            else:
                quiet = QuietHours(request.quiet_start, request.quiet_end)
        at: datetime | None = None
        local_time = request.local_time
        if request.when == "now":
            at, local_time = now, False
        elif request.when == "at":
            if request.at is not None:
                at = request.at
                if at.tzinfo is not None and local_time:
                    errors["at"] = (
                        "a time with a UTC offset cannot also be each recipient's local time"
                    )
            elif request.on_date is None or request.time_of_day is None:
                errors["date" if request.on_date is None else "time"] = (
                    "a one-off needs a date and a time"
                )
            else:
                at = datetime.combine(request.on_date, request.time_of_day)
            if at is not None and "at" not in errors:
                if at.tzinfo is not None:
                    instant = at.astimezone(UTC)
                elif local_time:
                    # Past only if it has passed even in the last time zone on Earth.
                    instant = at.replace(tzinfo=UTC) + LATEST_OFFSET
                else:
                    instant = at.replace(tzinfo=zone(request.timezone)).astimezone(UTC)
                if instant < now - PAST_TOLERANCE:
                    errors["date" if request.at is None else "at"] = "that time has already passed"
        elif request.when in ("daily", "weekly") and request.time_of_day is None:
            errors["time"] = f"a {request.when} nudge needs a time of day"
        if request.when == "weekly" and not request.weekdays:
            errors["weekdays"] = "choose at least one day"
        if request.when == "cron" and not (request.cron or "").strip():
            errors["cron"] = "give a cron expression like '0 10 * * 2'"
        if errors:
            raise ScheduleInputError(errors)
        try:
            schedule = Schedule(
                kind="once" if request.when in ("now", "at") else request.when,  # type: ignore[arg-type]
                start=now,
                timezone=request.timezone,
                local_time=local_time,
                at=at,
                time_of_day=request.time_of_day if request.when in ("daily", "weekly") else None,
                weekdays=tuple(sorted(set(request.weekdays))),
                cron=(request.cron or "").strip() or None,
                skip_weekends=request.skip_weekends,
                quiet=quiet,
                steps=lessons,
                spacing_days=spacing,
            )
        except ScheduleError as exc:
            raise ScheduleInputError(
                {"cron" if request.when == "cron" else "when": str(exc)}
            ) from None
        first = next_expansion(schedule, None)
        if first is None or (schedule.recurring and first > now + timedelta(days=366)):
            raise ScheduleInputError(
                {"cron" if request.when == "cron" else "when": "this never fires"}
            )
        return schedule

    def schedule(self, request: ScheduleRequest, *, created_by: str) -> CampaignView:
        """Create a campaign; the worker picks it up within seconds."""
        errors: dict[str, str] = {}
        kind, _, content_id = request.content.partition(":")
        lesson_ids: list[str] = []
        spacing = 0
        lesson_id = track_id = None
        if kind == "lesson" and self.library.lesson(content_id) is not None:
            lesson_ids, lesson_id = [content_id], content_id
        elif kind == "track" and (track := self.library.track(content_id)) is not None:
            lesson_ids, track_id, spacing = list(track.lessons), content_id, track.spacing_days
        else:
            errors["content"] = "choose a lesson or a track from the library"
        try:
            audience = parse_audience(request.audience)
        except AudienceError as exc:
            errors["audience"] = str(exc)
            audience = []
        if not audience and "audience" not in errors:
            errors["audience"] = "choose at least one person, channel, user group or theme"
        try:
            schedule = self.build_schedule(
                request, lessons=max(len(lesson_ids), 1), spacing=spacing
            )
        except ScheduleInputError as exc:
            errors.update(exc.errors)
        if errors:
            raise ScheduleInputError(errors)
        now = self._clock()
        with self._session_factory() as session, session.begin():
            row = NudgeCampaign(
                lesson_id=lesson_id,
                track_id=track_id,
                lessons=lesson_ids,
                audience=audience,
                schedule=schedule.to_dict(),
                status="active",
                created_by=created_by[:32],
                next_run_at=next_expansion(schedule, None),
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            view = self._view(row, {})
        if self.on_scheduled is not None:
            self.on_scheduled(view.id)
        return view

    # -- trainers' views ---------------------------------------------------------------------
    def _content_title(self, row: NudgeCampaign) -> str:
        if row.track_id:
            track = self.library.track(row.track_id)
            return f"Track: {track.title}" if track else f"Track {row.track_id}"
        lesson = self.library.lesson(row.lesson_id or "")
        return lesson.title if lesson else f"Lesson {row.lesson_id}"

    def _view(self, row: NudgeCampaign, counts: dict[str, int]) -> CampaignView:
        schedule = Schedule.from_dict(row.schedule)
        created = maybe_aware(row.created_at)
        assert created is not None
        return CampaignView(
            id=row.id,
            content=self._content_title(row),
            lesson_id=row.lesson_id,
            track_id=row.track_id,
            audience=tuple(row.audience),
            schedule=schedule.describe(),
            status=row.status,
            created_by=row.created_by,
            created_at=created,
            next_run_at=maybe_aware(row.next_run_at) if row.status == "active" else None,
            counts=counts,
        )

    def _counts(self, campaign_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        if not campaign_ids:
            return {}
        with self._session_factory() as session:
            rows = session.execute(
                select(NudgeDelivery.campaign_id, NudgeDelivery.status, func.count())
                .where(NudgeDelivery.campaign_id.in_(list(campaign_ids)))
                .group_by(NudgeDelivery.campaign_id, NudgeDelivery.status)
            ).all()
        counts: dict[int, dict[str, int]] = {}
        for campaign_id, status, number in rows:
            counts.setdefault(campaign_id, {})[status] = int(number)
        return counts

    def list_campaigns(self, *, include_ended: bool = True, limit: int = 50) -> list[CampaignView]:
        """Newest first."""
        query = select(NudgeCampaign).order_by(NudgeCampaign.id.desc()).limit(limit)
        if not include_ended:
            query = query.where(NudgeCampaign.status == "active")
        with self._session_factory() as session:
            rows = session.scalars(query).all()
        counts = self._counts([row.id for row in rows])
        return [self._view(row, counts.get(row.id, {})) for row in rows]

    def get(self, campaign_id: int) -> CampaignView | None:
        """One campaign, or None."""
        with self._session_factory() as session:
            row = session.get(NudgeCampaign, campaign_id)
        if row is None:
            return None
        return self._view(row, self._counts([campaign_id]).get(campaign_id, {}))

    def cancel(self, campaign_id: int) -> CampaignView | None:
        """Stop a campaign: nothing more is expanded or sent (None if there is no such campaign)."""
        now = self._clock()
        with self._session_factory() as session, session.begin():
            row = session.get(NudgeCampaign, campaign_id)
            if row is None:
                return None
            if row.status == "active" or row.status == "finished":
                row.status = "cancelled"
                row.next_run_at = None
                row.updated_at = now
            session.execute(
                update(NudgeRun)
                .where(NudgeRun.campaign_id == campaign_id, NudgeRun.status == "expanding")
                .values(status="cancelled", expanded_at=now)
            )
            # `sending` ones are in flight; the dispatcher's claim refuses the rest anyway.
            session.execute(
                update(NudgeDelivery)
                .where(NudgeDelivery.campaign_id == campaign_id, NudgeDelivery.status == "pending")
                .values(status="cancelled", updated_at=now)
            )
        return self.get(campaign_id)

    def stats(self, campaign_id: int) -> CampaignStats | None:
        """Delivered, helpful %, done %, quiz correct %, concerns — per lesson and in total."""
        view = self.get(campaign_id)
        if view is None:
            return None
        d = NudgeDelivery
        sent = d.status == "sent"
        with self._session_factory() as session:
            lessons_order = (
                session.scalar(select(NudgeCampaign.lessons).where(NudgeCampaign.id == campaign_id))
                or []
            )
            rows = session.execute(
                select(
                    d.lesson_id,
                    func.count(case((sent, 1))),
                    func.count(case(((d.rating == "helpful") & sent, 1))),
                    func.count(case(((d.rating == "not_for_me") & sent, 1))),
                    func.count(case((d.done_at.is_not(None) & sent, 1))),
                    func.count(case((d.quiz_answer.is_not(None), 1))),
                    func.count(case((d.quiz_correct.is_(True), 1))),
                )
                .where(d.campaign_id == campaign_id)
                .group_by(d.lesson_id)
            ).all()
            concern_rows = session.execute(
                select(Concern.lesson_id, func.count(), func.count(func.distinct(Concern.reporter)))
                .where(Concern.campaign_id == campaign_id)
                .group_by(Concern.lesson_id)
            ).all()
            total_concern_people = (
                session.scalar(
                    select(func.count(func.distinct(Concern.reporter))).where(
                        Concern.campaign_id == campaign_id
                    )
                )
                or 0
            )
        concerns = {lesson: (int(n), int(people)) for lesson, n, people in concern_rows}
        by_lesson = {row[0]: row for row in rows}
        ordered = list(dict.fromkeys([*lessons_order, *by_lesson]))

        def shown(number: int, people: int) -> int | None:
            # Concern counts are hidden below the minimum: with few recipients a count of one
            # would say who raised it.
            return number if people >= self.min_reporters or number == 0 else None

        lesson_stats = []
        for lesson_id in ordered:
            row = by_lesson.get(lesson_id)
            lesson = self.library.lesson(lesson_id)
            number, people = concerns.get(lesson_id, (0, 0))
            lesson_stats.append(
                LessonStats(
                    lesson_id=lesson_id,
                    title=lesson.title if lesson else lesson_id,
                    delivered=int(row[1]) if row else 0,
                    helpful=int(row[2]) if row else 0,
                    not_for_me=int(row[3]) if row else 0,
                    done=int(row[4]) if row else 0,
                    quiz_answered=int(row[5]) if row else 0,
                    quiz_correct=int(row[6]) if row else 0,
                    has_quiz=bool(lesson and lesson.quiz),
                    concerns=shown(number, people),
                )
            )
        total_concerns = sum(n for n, _ in concerns.values())
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
            concerns=shown(total_concerns, int(total_concern_people)),
        )
        return CampaignStats(
            campaign=view, totals=totals, lessons=lesson_stats, min_reporters=self.min_reporters
        )

    def theme_choices(self) -> list[ThemeChoice]:
        """Active pain-point themes that pass the minimum-reporter rule (for the audience)."""
        with self._session_factory() as session:
            rows = session.execute(
                select(Theme.id, Theme.title, Theme.reporters)
                .where(
                    Theme.kind == "painpoint",
                    Theme.active.is_(True),
                    Theme.reporters >= self.min_reporters,
                )
                .order_by(Theme.reporters.desc(), Theme.id)
                .limit(100)
            ).all()
        return [ThemeChoice(id=r.id, title=r.title, reporters=r.reporters) for r in rows]

    # -- the recipient's side ---------------------------------------------------------------
    def context(self, delivery_id: int, user_id: str) -> DeliveryContext | None:
        """The recipient's own delivered nudge (None for anybody else's)."""
        with self._session_factory() as session:
            row = session.execute(
                select(NudgeDelivery, NudgeCampaign.track_id, NudgeCampaign.lessons)
                .join(NudgeCampaign, NudgeCampaign.id == NudgeDelivery.campaign_id)
                .where(NudgeDelivery.id == delivery_id, NudgeDelivery.recipient == user_id)
            ).first()
            paused = bool(
                session.scalar(
                    select(NudgeRecipient.paused).where(NudgeRecipient.user_id == user_id)
                )
            )
        if row is None:
            return None
        delivery, track_id, lessons = row
        track = self.library.track(track_id) if track_id else None
        total = len(lessons or [])
        return DeliveryContext(
            delivery_id=delivery.id,
            campaign_id=delivery.campaign_id,
            lesson=self.library.lesson(delivery.lesson_id),
            state=NudgeState(
                rating=delivery.rating,
                done=delivery.done_at is not None,
                quiz_answer=delivery.quiz_answer,
                quiz_correct=delivery.quiz_correct,
                paused=paused,
            ),
            channel=delivery.channel,
            ts=delivery.ts,
            step=(delivery.step + 1, total) if total > 1 else None,
            track_title=(track.title if track else track_id) if track_id else None,
        )

    def give_feedback(self, delivery_id: int, user_id: str, kind: str) -> DeliveryContext | None:
        """Helpful / not for me (the latest choice counts) or done; repeats change nothing."""
        now = self._clock()
        d = NudgeDelivery
        mine = (d.id == delivery_id) & (d.recipient == user_id)
        with self._session_factory() as session, session.begin():
            if kind in RATINGS:
                result = session.execute(
                    update(d)
                    .where(mine, (d.rating.is_(None)) | (d.rating != kind))
                    .values(rating=kind, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
            elif kind == "done":
                result = session.execute(
                    update(d)
                    .where(mine, d.done_at.is_(None))
                    .values(done_at=now, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
            else:
                raise ValueError(f"unknown feedback {kind!r}")
            changed = bool(getattr(result, "rowcount", 0))
        context = self.context(delivery_id, user_id)
        if context is None:
            return None
        return _replace_context(context, changed=changed)

    def answer_quiz(self, delivery_id: int, user_id: str, answer: int) -> DeliveryContext | None:
        """Record the first answer only (so quiz stats measure what people knew)."""
        context = self.context(delivery_id, user_id)
        if context is None or context.lesson is None or context.lesson.quiz is None:
            return context
        quiz = context.lesson.quiz
        if not 0 <= answer < len(quiz.options):
            return _replace_context(context, changed=False)
        d = NudgeDelivery
        with self._session_factory() as session, session.begin():
            result = session.execute(
                update(d)
                .where(d.id == delivery_id, d.recipient == user_id, d.quiz_answer.is_(None))
                .values(
                    quiz_answer=answer, quiz_correct=answer == quiz.answer, updated_at=self._clock()
                )
                .execution_options(synchronize_session=False)
            )
            changed = bool(getattr(result, "rowcount", 0))
        updated = self.context(delivery_id, user_id)
        assert updated is not None
        return _replace_context(updated, changed=changed, quiz_result=updated.state.quiz_correct)

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
