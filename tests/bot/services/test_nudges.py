"""Scheduling validation, stats per lesson and campaign, and idempotent feedback."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.db.models import Theme
from bot.domain.nudges import ScheduleInputError, ScheduleRequest
from bot.services.capture import CaptureService
from tests.bot.nudge_parts import LESSON, Parts
from tests.bot.reporting.factories import Seeded, seed_theme
from tests.conftest import SECRET_KEY


def errors_of(parts: Parts, **kwargs: object) -> dict[str, str]:
    request = ScheduleRequest(**{"content": f"lesson:{LESSON}", "audience": ["U001"], **kwargs})  # type: ignore[arg-type]
    with pytest.raises(ScheduleInputError) as caught:
        parts.service.schedule(request, created_by="UTRAINER")
    return caught.value.errors


def test_requests_that_cannot_work_are_refused_with_the_field_to_fix(parts: Parts) -> None:
    assert "content" in errors_of(parts, content="lesson:nope")
    assert "content" in errors_of(parts, content="track:nope")
    assert "audience" in errors_of(parts, audience=[])
    assert "audience" in errors_of(parts, audience=["everyone"])
    yesterday = date.today() - timedelta(days=2)
    assert errors_of(parts, when="at", on_date=yesterday, time_of_day=time(9)) == {
        "date": "that time has already passed"
    }
    assert "time" in errors_of(parts, when="at", on_date=date.today() + timedelta(days=1))
    assert "time" in errors_of(parts, when="daily")
    assert "weekdays" in errors_of(parts, when="weekly", time_of_day=time(9))
    assert "quiet_end" in errors_of(parts, quiet_start=time(20))
    assert "quiet_end" in errors_of(parts, quiet_start=time(20), quiet_end=time(20))
    assert "cron" in errors_of(parts, when="cron", cron="0 10 * *")
    assert "cron" in errors_of(parts, when="cron", cron="0 0 30 2 *")  # never fires
    assert "timezone" in errors_of(parts, timezone="Mars/Base")
    assert "at" in errors_of(
        parts, when="at", at=datetime.now(UTC) + timedelta(days=1), local_time=True
    )


def _stored_counts(parts: Parts, *seeded: Seeded, active: bool = True) -> None:
    """Each theme's size and reporters as a re-clustering stores them."""
    with parts.session_factory() as session, session.begin():
        for theme in seeded:
            row = session.get(Theme, theme.theme_id)
            assert row is not None
            row.size = row.reporters = len(set(theme.reporters))
            row.active = active


def test_a_theme_audience_must_be_one_the_picker_offers(parts: Parts) -> None:
    """A forged `theme:N` (modal, suggested-lesson button) could reach a theme below the
    minimum-reporter rule, and `/nudge stats` would then count its opted-in reporters."""
    hidden = seed_theme(parts.session_factory, "Complaint about Bob", reporters=2)
    gone = seed_theme(parts.session_factory, "Merged away", reporters=5)
    shown = seed_theme(parts.session_factory, "Invoices typed by hand", reporters=3)
    _stored_counts(parts, hidden, shown)
    _stored_counts(parts, gone, active=False)
    for theme in (hidden, gone):
        assert "audience" in errors_of(parts, audience=["U001", f"theme:{theme.theme_id}"])
    assert [shown.theme_id] == [choice.id for choice in parts.service.theme_choices()]
    parts.schedule([f"theme:{shown.theme_id}"])


def test_a_theme_a_reporter_deleted_from_below_the_minimum_leaves_the_picker(parts: Parts) -> None:
    """`/painpoint delete` takes a report out of its theme at once; the picker must not go on
    naming the theme (nor counting its reporters) until the next re-clustering."""
    capture = CaptureService(parts.session_factory, secret_key=SECRET_KEY)
    people = [capture.pseudonym("T1", user) for user in ("U1", "U2", "U3")]
    theme = seed_theme(parts.session_factory, "Invoices typed by hand", reporters=people)
    _stored_counts(parts, theme)
    assert [theme.theme_id] == [choice.id for choice in parts.service.theme_choices()]

    assert capture.delete(team_id="T1", user_id="U3", painpoint_id=theme.painpoint_ids[2])

    assert parts.service.theme_choices() == []
    assert "audience" in errors_of(parts, audience=[f"theme:{theme.theme_id}"])


def test_a_track_schedules_its_lessons_with_its_spacing(parts: Parts) -> None:
    track = parts.library.tracks["safe-ai-use"]
    view = parts.service.schedule(
        ScheduleRequest(content="track:safe-ai-use", audience=["U001", "C0TEAM"]),
        created_by="UTRAINER",
    )
    assert view.content == f"Track: {track.title}"
    assert view.track_id == "safe-ai-use" and view.lesson_id is None
    assert "then every 3 days" in view.schedule
    assert [c.id for c in parts.service.list_campaigns()] == [view.id]


def deliver(parts: Parts, users: list[str], lesson: str = LESSON) -> dict[str, int]:
    campaign = parts.schedule(users, lesson=lesson)
    parts.runner.fire(campaign)
    parts.drain()
    return {d.recipient: d.id for d in parts.deliveries(campaign_id=campaign)}


def test_feedback_is_recorded_once_per_delivery_and_only_by_its_recipient(parts: Parts) -> None:
    ids = deliver(parts, ["U001", "U002"])
    service = parts.service
    first = service.give_feedback(ids["U001"], "U001", "helpful")
    assert first is not None and first.changed and first.state.rating == "helpful"
    again = service.give_feedback(ids["U001"], "U001", "helpful")
    assert again is not None and not again.changed
    switched = service.give_feedback(ids["U001"], "U001", "not_for_me")
    assert switched is not None and switched.state.rating == "not_for_me"
    assert service.give_feedback(ids["U001"], "U002", "done") is None  # not theirs
    done = service.give_feedback(ids["U001"], "U001", "done")
    assert done is not None and done.state.done
    assert not service.give_feedback(ids["U001"], "U001", "done").changed  # type: ignore[union-attr]


def test_only_the_first_quiz_answer_counts(parts: Parts) -> None:
    ids = deliver(parts, ["U001"])
    quiz = parts.library.lessons[LESSON].quiz
    assert quiz is not None
    wrong = (quiz.answer + 1) % len(quiz.options)
    first = parts.service.answer_quiz(ids["U001"], "U001", wrong)
    assert first is not None and first.quiz_result is False and first.changed
    second = parts.service.answer_quiz(ids["U001"], "U001", quiz.answer)
    assert second is not None and not second.changed
    assert second.state.quiz_answer == wrong and second.state.quiz_correct is False


def test_stats_per_lesson_and_per_campaign(parts: Parts) -> None:
    users = [f"U{n:03d}" for n in range(1, 6)]
    campaign = parts.service.schedule(
        ScheduleRequest(content="track:safe-ai-use", audience=users), created_by="UTRAINER"
    ).id
    parts.runner.fire(campaign)  # only the first lesson is due now
    parts.drain()
    first_lesson = parts.library.tracks["safe-ai-use"].lessons[0]
    ids = {d.recipient: d.id for d in parts.deliveries()}
    quiz = parts.library.lessons[first_lesson].quiz
    assert quiz is not None
    for user in users[:4]:
        parts.service.give_feedback(ids[user], user, "helpful")
    for user in users[:2]:
        parts.service.give_feedback(ids[user], user, "done")
    parts.service.answer_quiz(ids["U001"], "U001", quiz.answer)
    parts.service.answer_quiz(ids["U002"], "U002", (quiz.answer + 1) % len(quiz.options))
    for user in users[:2]:
        parts.service.concerns.record(
            team_id="T1",
            user_id=user,
            text=f"worry {user}",
            topic="workload",
            delivery_id=ids[user],
        )

    stats = parts.service.stats(campaign)
    assert stats is not None
    totals = stats.totals
    assert (totals.delivered, totals.helpful_pct, totals.done_pct) == (5, 80.0, 40.0)
    assert (totals.quiz_answered, totals.quiz_correct_pct) == (2, 50.0)
    # Two people raised concerns: fewer than the minimum of three, so the count is hidden.
    assert totals.concerns is None
    assert [s.lesson_id for s in stats.lessons] == list(parts.library.tracks["safe-ai-use"].lessons)
    assert stats.lessons[0].delivered == 5 and stats.lessons[1].delivered == 0
    parts.service.concerns.record(
        team_id="T1", user_id="U003", text="third worry", topic="other", delivery_id=ids["U003"]
    )
    assert parts.service.stats(campaign).totals.concerns == 3  # type: ignore[union-attr]
    assert parts.service.stats(999) is None


def test_cancel_and_list(parts: Parts) -> None:
    campaign = parts.schedule(["U001"], when="daily", time_of_day=time(10))
    view = parts.service.cancel(campaign)
    assert view is not None and view.status == "cancelled" and view.next_run_at is None
    assert parts.service.cancel(12345) is None
    assert parts.service.list_campaigns(include_ended=False) == []


def test_sent_deliveries_keep_their_feedback_when_a_campaign_is_cancelled(parts: Parts) -> None:
    ids = deliver(parts, ["U001"])
    parts.service.give_feedback(ids["U001"], "U001", "helpful")
    campaign = parts.deliveries()[0].campaign_id
    parts.service.cancel(campaign)
    assert parts.deliveries()[0].status == "sent"
    assert parts.service.context(ids["U001"], "U001").state.rating == "helpful"  # type: ignore[union-attr]


def test_the_campaign_total_does_not_give_away_a_lesson_hidden_below_the_minimum(
    parts: Parts,
) -> None:
    """Three people raised concerns on the first lesson, one on the second: the second's
    count is hidden, and a total of 4 next to the first's 3 would say it is exactly one."""
    users = [f"U{n:03d}" for n in range(1, 6)]
    campaign = parts.service.schedule(
        ScheduleRequest(content="track:safe-ai-use", audience=users), created_by="UTRAINER"
    ).id
    parts.runner.fire(campaign)
    parts.drain()
    parts.runner.fire(campaign, datetime.now(UTC) + timedelta(days=3, minutes=1))
    first, second = parts.library.tracks["safe-ai-use"].lessons[:2]
    ids = {(d.lesson_id, d.recipient): d.id for d in parts.deliveries()}
    raised = [(first, user) for user in users[:3]] + [(second, "U004")]
    for lesson, user in raised:
        parts.service.concerns.record(
            team_id="T1", user_id=user, text=f"worry {user}", topic="workload",
            delivery_id=ids[(lesson, user)],
        )  # fmt: skip

    stats = parts.service.stats(campaign)

    assert stats is not None
    assert {s.lesson_id: s.concerns for s in stats.lessons[:2]} == {first: 3, second: None}
    assert stats.totals.concerns == 3
