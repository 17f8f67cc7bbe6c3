"""One-tap follow-ups: stored on the reporter's own report only, answerable later."""

from __future__ import annotations

import pytest

from bot.db.models import PainPoint
from bot.db.session import SessionFactory
from bot.domain.capture import PainPointInput
from bot.services.capture import CaptureService
from bot.services.followups import FollowupService
from tests.conftest import SECRET_KEY


@pytest.fixture
def capture(session_factory: SessionFactory) -> CaptureService:
    return CaptureService(session_factory, secret_key=SECRET_KEY)


def test_the_reporter_answers_how_often_and_hours_any_time(
    session_factory: SessionFactory, capture: CaptureService
) -> None:
    result = capture.record(
        team_id="T1", user_id="U1", submission=PainPointInput(text="VPN drops", source="slash")
    )
    assert result.painpoint is not None
    followups = FollowupService(session_factory, pseudonym=capture.pseudonym)

    weekly = followups.answer(
        team_id="T1",
        user_id="U1",
        painpoint_id=result.painpoint.id,
        kind="frequency",
        choice="weekly",
    )
    hours = followups.answer(
        team_id="T1", user_id="U1", painpoint_id=result.painpoint.id, kind="hours", choice="1-3"
    )
    later = followups.answer(
        team_id="T1", user_id="U1", painpoint_id=result.painpoint.id, kind="hours", choice="5+"
    )

    assert weekly is not None and weekly.frequency == "weekly"
    assert hours is not None and hours.hours_per_week == 2.0
    assert later is not None and later.hours_per_week == 6.0
    with session_factory() as session:
        row = session.get(PainPoint, result.painpoint.id)
        assert row is not None and (row.frequency, row.hours_per_week) == ("weekly", 6.0)


@pytest.mark.parametrize(
    ("team", "user", "kind", "choice"),
    [
        ("T1", "U2", "hours", "1-3"),  # someone else
        ("T2", "U1", "hours", "1-3"),  # the same id in another workspace is another person
        ("T1", "U1", "hours", "80"),  # not a choice
        ("T1", "U1", "team", "Sales"),  # not a question
    ],
)
def test_nobody_answers_for_someone_elses_report(
    session_factory: SessionFactory,
    capture: CaptureService,
    team: str,
    user: str,
    kind: str,
    choice: str,
) -> None:
    result = capture.record(
        team_id="T1", user_id="U1", submission=PainPointInput(text="VPN drops", source="dm")
    )
    assert result.painpoint is not None
    followups = FollowupService(session_factory, pseudonym=capture.pseudonym)

    assert (
        followups.answer(
            team_id=team, user_id=user, painpoint_id=result.painpoint.id, kind=kind, choice=choice
        )
        is None
    )
    with session_factory() as session:
        row = session.get(PainPoint, result.painpoint.id)
        assert row is not None and row.hours_per_week is None and row.frequency is None
