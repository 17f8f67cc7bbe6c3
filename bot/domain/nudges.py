"""Nudges as trainers and recipients see them: requests, campaigns, states, stats, concerns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.domain.lessons import Lesson

TOPICS = {
    "job_security": "Job security",
    "data_privacy": "Data privacy",
    "accuracy_trust": "Accuracy and trust",
    "workload": "Workload",
    "skills_training": "Missing skills or training",
    "other": "Other",
}
RATINGS = ("helpful", "not_for_me")


@dataclass(frozen=True)
class NudgeState:
    """What a recipient has done with one nudge, shown back on the message."""

    rating: str | None = None
    done: bool = False
    quiz_answer: int | None = None
    quiz_correct: bool | None = None
    paused: bool = False


@dataclass(frozen=True)
class CampaignView:
    """A campaign as trainers see it in lists."""

    id: int
    content: str  # the lesson's or track's title
    lesson_id: str | None
    track_id: str | None
    audience: tuple[str, ...]
    schedule: str
    status: str
    created_by: str
    created_at: datetime
    next_run_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)  # delivery status → number


def percent(part: int, whole: int) -> float | None:
    """part/whole as a percentage, None when there is nothing to divide by."""
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class LessonStats:
    """Engagement with one lesson (or a whole campaign, for the totals row)."""

    lesson_id: str
    title: str
    delivered: int = 0
    helpful: int = 0
    not_for_me: int = 0
    done: int = 0
    quiz_answered: int = 0
    quiz_correct: int = 0
    has_quiz: bool = False
    # None when fewer than the minimum number of people raised concerns (not shown).
    concerns: int | None = 0

    @property
    def helpful_pct(self) -> float | None:
        """Share of delivered nudges marked helpful."""
        return percent(self.helpful, self.delivered)

    @property
    def done_pct(self) -> float | None:
        """Share of delivered nudges marked done."""
        return percent(self.done, self.delivered)

    @property
    def quiz_correct_pct(self) -> float | None:
        """Share of quiz answers that were right."""
        return percent(self.quiz_correct, self.quiz_answered)


@dataclass(frozen=True)
class CampaignStats:
    """`/nudge stats <id>`: totals, one row per lesson, and the outbox's state."""

    campaign: CampaignView
    totals: LessonStats
    lessons: list[LessonStats]
    min_reporters: int


@dataclass(frozen=True)
class ConcernGroup:
    """A group of similar concerns backed by enough distinct people to be shown."""

    label: str
    topic: str | None
    count: int
    reporters: int
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class SignedConcern:
    """A concern whose author chose to share their name with the trainers."""

    user_id: str
    topic: str
    text: str


@dataclass(frozen=True)
class ConcernReport:
    """`/nudge concerns`: the groups that pass the minimum-reporter rule, and what did not."""

    groups: list[ConcernGroup]
    smaller_signals: int  # concerns in groups backed by too few people (counted, not shown)
    total: int
    min_reporters: int
    # Shown with their author's name, as the author asked (the form's "share my name").
    signed: tuple[SignedConcern, ...] = ()


@dataclass(frozen=True)
class ThemeChoice:
    """A pain-point theme a trainer may target (its opted-in reporters)."""

    id: int
    title: str
    reporters: int


WHEN = ("now", "at", "daily", "weekly", "cron")
# A one-off further in the past than this is a mistake, not "now".
PAST_TOLERANCE = timedelta(minutes=5)


class ScheduleInputError(ValueError):
    """The request cannot be scheduled; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {value}" for key, value in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ScheduleRequest:
    """What a trainer asked for, from the modal or the command line."""

    content: str  # "lesson:<id>" or "track:<id>"
    audience: Sequence[str]
    when: str = "now"  # now | at | daily | weekly | cron
    on_date: date | None = None  # at: with time_of_day
    time_of_day: time | None = None  # at, daily, weekly
    at: datetime | None = None  # at (command line): aware = instant, naive = wall time
    weekdays: tuple[int, ...] = ()
    cron: str | None = None
    local_time: bool = False
    skip_weekends: bool = False
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str = "UTC"


@dataclass(frozen=True)
class DeliveryContext:
    """One delivered nudge as its recipient's buttons need it: what to redraw, and where."""

    delivery_id: int
    campaign_id: int
    lesson: Lesson | None
    state: NudgeState
    channel: str | None
    ts: str | None
    step: tuple[int, int] | None
    track_title: str | None
    changed: bool = True
    quiz_result: bool | None = None
