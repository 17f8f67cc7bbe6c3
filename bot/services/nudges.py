"""Nudge campaigns for trainers: schedule, list, cancel, stats and the themes they may target.
Each method owns its transaction. The recipient's side (feedback, quiz answers, pausing) is
`RecipientFeedback` (bot/services/nudge_feedback.py); the stats queries are in nudge_stats.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import desc, func, select, update
from sqlalchemy.orm import Session

from bot.db.models import Theme
from bot.db.nudge_models import NudgeCampaign, NudgeDelivery, NudgeRun
from bot.db.session import SessionFactory
from bot.domain.audience import AudienceError, parse_audience
from bot.domain.lessons import Library
from bot.domain.nudges import (
    PAST_TOLERANCE,
    WHEN,
    CampaignStats,
    CampaignView,
    ScheduleInputError,
    ScheduleRequest,
    ThemeChoice,
)
from bot.domain.occurrences import next_expansion
from bot.domain.schedule import LATEST_OFFSET, QuietHours, Schedule, ScheduleError, zone
from bot.domain.time import maybe_aware
from bot.services.concerns import ConcernService
from bot.services.nudge_feedback import RecipientFeedback
from bot.services.nudge_stats import campaign_stats
from bot.services.visibility import shown_themes


class NudgeService(RecipientFeedback):
    """Campaign management; recipients' feedback comes from `RecipientFeedback`."""

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
        quiet = _quiet_hours(request, errors)
        at: datetime | None = None
        local_time = request.local_time
        if request.when == "now":
            at, local_time = now, False
        elif request.when == "at":
            at = _one_off_at(request, now, errors)
        elif request.when in ("daily", "weekly") and request.time_of_day is None:
            errors["time"] = f"a {request.when} nudge needs a time of day"
        if request.when == "weekly" and not request.weekdays:
            errors["weekdays"] = "choose at least one day"
        if request.when == "cron" and not (request.cron or "").strip():
            errors["cron"] = "give a cron expression like '0 10 * * 2'"
        if errors:
            raise ScheduleInputError(errors)
        wrong = "cron" if request.when == "cron" else "when"
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
            raise ScheduleInputError({wrong: str(exc)}) from None
        first = next_expansion(schedule, None)
        if first is None or (schedule.recurring and first > now + timedelta(days=366)):
            raise ScheduleInputError({wrong: "this never fires"})
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
        if not self._targetable(audience):
            errors["audience"] = "choose a theme from the list; that one cannot be targeted"
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
            if session.get(NudgeCampaign, campaign_id) is None:
                return None
            cancel_campaign(session, campaign_id, now)
        return self.get(campaign_id)

    def stats(self, campaign_id: int) -> CampaignStats | None:
        """Delivered, helpful %, done %, quiz correct %, concerns — per lesson and in total."""
        view = self.get(campaign_id)
        if view is None:
            return None
        return campaign_stats(
            self._session_factory, self.library, view, min_reporters=self.min_reporters
        )

    def _targetable(self, audience: Sequence[str]) -> bool:
        """Whether every `theme:N` entry is a theme the picker may offer (a forged one may
        name a theme below the minimum-reporter rule, whose reach stats would then count)."""
        wanted = {int(e.removeprefix("theme:")) for e in audience if e.startswith("theme:")}
        if not wanted:
            return True
        with self._session_factory() as session:
            found = session.execute(
                shown_themes(self.min_reporters).where(Theme.id.in_(wanted))
            ).all()
        return {row.id for row in found} == wanted

    def theme_choices(self) -> list[ThemeChoice]:
        """Active pain-point themes that pass the minimum-reporter rule (for the audience)."""
        with self._session_factory() as session:
            rows = session.execute(
                shown_themes(self.min_reporters).order_by(desc("reporters"), Theme.id).limit(100)
            ).all()
        return [ThemeChoice(id=r.id, title=r.title, reporters=r.reporters) for r in rows]


def _quiet_hours(request: ScheduleRequest, errors: dict[str, str]) -> QuietHours | None:
    """The requested quiet hours; what is wrong with them goes into `errors`."""
    if (request.quiet_start is None) != (request.quiet_end is None):
        errors["quiet_end" if request.quiet_end is None else "quiet_start"] = (
            "give both ends of the quiet hours, or neither"
        )
    elif request.quiet_start is not None and request.quiet_end is not None:
        if request.quiet_start == request.quiet_end:
            errors["quiet_end"] = "quiet hours must end at a different time than they start"
        else:
            return QuietHours(request.quiet_start, request.quiet_end)
    return None


def _one_off_at(request: ScheduleRequest, now: datetime, errors: dict[str, str]) -> datetime | None:
    """A one-off's date and time (aware = an instant, naive = a wall time); what is wrong with
    it goes into `errors`."""
    at: datetime | None = None
    if request.at is not None:
        at = request.at
        if at.tzinfo is not None and request.local_time:
            errors["at"] = "a time with a UTC offset cannot also be each recipient's local time"
    elif request.on_date is None or request.time_of_day is None:
        errors["date" if request.on_date is None else "time"] = "a one-off needs a date and a time"
    else:
        at = datetime.combine(request.on_date, request.time_of_day)
    if at is not None and "at" not in errors:
        if at.tzinfo is not None:
            instant = at.astimezone(UTC)
        elif request.local_time:
            # Past only if it has passed even in the last time zone on Earth.
            instant = at.replace(tzinfo=UTC) + LATEST_OFFSET
        else:
            instant = at.replace(tzinfo=zone(request.timezone)).astimezone(UTC)
        if instant < now - PAST_TOLERANCE:
            errors["date" if request.at is None else "at"] = "that time has already passed"
    return at


def cancel_campaign(session: Session, campaign_id: int | None, now: datetime) -> None:
    """Stop a campaign in this transaction: nothing more is expanded or sent (deliveries
    already `sending` are in flight; the dispatcher's claim refuses the rest anyway)."""
    if campaign_id is None:
        return
    session.execute(
        update(NudgeCampaign)
        .where(NudgeCampaign.id == campaign_id, NudgeCampaign.status.in_(("active", "finished")))
        .values(status="cancelled", next_run_at=None, updated_at=now)
    )
    session.execute(
        update(NudgeRun)
        .where(NudgeRun.campaign_id == campaign_id, NudgeRun.status == "expanding")
        .values(status="cancelled", expanded_at=now)
    )
    session.execute(
        update(NudgeDelivery)
        .where(NudgeDelivery.campaign_id == campaign_id, NudgeDelivery.status == "pending")
        .values(status="cancelled", updated_at=now)
    )
