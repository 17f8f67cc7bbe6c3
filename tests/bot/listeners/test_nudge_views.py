"""Scenario tests: submitting the scheduling form and the concern form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks import ids
from bot.blocks import nudge as nudge_blocks
from bot.blocks import nudge_schedule as nudge_schedule_blocks
from bot.db.nudge_models import Concern, NudgeCampaign
from bot.db.session import SessionFactory
from bot.domain.schedule import Schedule
from bot.privacy.pseudonym import reporter_pseudonym
from bot.settings import Settings
from tests.bot.nudge_parts import Parts, make_parts
from tests.conftest import SECRET_KEY
from tests.slack_requests import Sender, interactive_body, response_json, view_submission
from tests.stored import scrubbed


@pytest.fixture
def parts(settings: Settings, session_factory: SessionFactory, stand_in: Any) -> Iterator[Parts]:
    built = make_parts(settings, session_factory, stand_in)
    yield built
    built.dispatcher.close()


def schedule_values(
    *,
    content: str | None = "lesson:keep-data-safe",
    users: list[str] | None = None,
    channels: list[str] | None = None,
    groups: str | None = None,
    when: str = "now",
    on_date: str | None = None,
    at_time: str | None = "10:00",
    weekdays: list[str] | None = None,
    options: list[str] | None = None,
    quiet: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    def value(**state: Any) -> dict[str, Any]:
        return {ids.VALUE: state}

    return {
        ids.B_CONTENT: value(selected_option={"value": content} if content else None),
        ids.B_USERS: value(selected_users=users or []),
        ids.B_CHANNELS: value(selected_conversations=channels or []),
        ids.B_GROUPS: value(value=groups),
        ids.B_WHEN: value(selected_option={"value": when}),
        ids.B_DATE: value(selected_date=on_date),
        ids.B_TIME: value(selected_time=at_time),
        ids.B_WEEKDAYS: value(selected_options=[{"value": d} for d in weekdays or []]),
        ids.B_OPTIONS: value(selected_options=[{"value": o} for o in options or []]),
        ids.B_QUIET_START: value(selected_time=quiet[0]),
        ids.B_QUIET_END: value(selected_time=quiet[1]),
    }


def submit(
    sender: Sender, parts: Parts, values: dict[str, Any], user: str = "UTRAINER"
) -> dict[str, Any]:
    view = nudge_schedule_blocks.schedule_modal(parts.library, timezone="Europe/Berlin")
    response = sender.interactive(view_submission(view, values, user=user))
    assert response.status == 200
    return response_json(response)


def campaigns(parts: Parts) -> list[NudgeCampaign]:
    with parts.session_factory() as session:
        return list(session.scalars(select(NudgeCampaign)).all())


def test_a_valid_form_schedules_a_campaign_for_every_kind_of_audience(
    sender: Sender, parts: Parts
) -> None:
    answer = submit(
        sender,
        parts,
        schedule_values(
            users=["U001", "U002"],
            channels=["C0TEAM"],
            groups="s0abc, S0DEF",
            when="weekly",
            weekdays=["1", "3"],
            at_time="09:30",
            options=["local_time", "skip_weekends"],
            quiet=("19:00", "08:00"),
        ),
    )
    assert answer["response_action"] == "update"
    assert "is scheduled" in str(answer["view"])
    (campaign,) = campaigns(parts)
    assert campaign.audience == ["U001", "U002", "C0TEAM", "S0ABC", "S0DEF"]
    assert campaign.lessons == ["keep-data-safe"] and campaign.created_by == "UTRAINER"
    schedule = Schedule.from_dict(campaign.schedule)
    assert schedule.kind == "weekly" and schedule.weekdays == (1, 3)
    assert schedule.local_time and schedule.skip_weekends
    assert schedule.quiet is not None and schedule.quiet.label() == "19:00–08:00"
    assert schedule.timezone == "Europe/Berlin"  # the trainer's, from the form's metadata


@pytest.mark.parametrize(
    ("values", "block_id"),
    [
        (schedule_values(content=None, users=["U001"]), ids.B_CONTENT),
        (schedule_values(), ids.B_USERS),
        (schedule_values(users=["U001"], groups="team-a"), ids.B_GROUPS),
        (schedule_values(users=["U001"], when="weekly"), ids.B_WEEKDAYS),
        (schedule_values(users=["U001"], when="at", on_date=None), ids.B_DATE),
        (schedule_values(users=["U001"], when="at", on_date="2020-01-01"), ids.B_DATE),
        (schedule_values(users=["U001"], quiet=("20:00", None)), ids.B_QUIET_END),
    ],
)
def test_invalid_forms_are_answered_inside_the_form(
    sender: Sender, parts: Parts, values: dict[str, Any], block_id: str
) -> None:
    answer = submit(sender, parts, values)
    assert answer["response_action"] == "errors"
    assert block_id in answer["errors"]
    assert all(len(message) <= 150 for message in answer["errors"].values())
    assert campaigns(parts) == []


def test_only_trainers_can_submit_the_form(sender: Sender, parts: Parts) -> None:
    answer = submit(sender, parts, schedule_values(users=["U001"]), user="U100")
    assert answer == {
        "response_action": "errors",
        "errors": {ids.B_CONTENT: "Only trainers can schedule nudges."},
    }
    assert campaigns(parts) == []


def concern_values(
    text: str | None, topic: str | None = None, named: bool = False
) -> dict[str, Any]:
    return {
        ids.B_CONCERN_TEXT: {ids.VALUE: {"value": text}},
        ids.B_CONCERN_TOPIC: {ids.VALUE: {"selected_option": {"value": topic} if topic else None}},
        ids.B_CONCERN_NAME: {ids.VALUE: {"selected_options": [{"value": "yes"}] if named else []}},
    }


def test_a_concern_from_a_nudge_is_stored_scrubbed_pseudonymous_and_linked(
    sender: Sender, parts: Parts
) -> None:
    campaign = parts.schedule(["U001"])
    parts.runner.fire(campaign)
    (delivery,) = parts.deliveries()
    view = nudge_blocks.concern_modal(delivery_id=delivery.id, lesson_title="Keep data safe")
    response = sender.interactive(
        view_submission(
            view,
            concern_values("They track us? ask bob@example.com", "data_privacy"),
            user="U001",
        )
    )
    answer = response_json(response)
    assert answer["response_action"] == "update" and "Thank you" in str(answer["view"])
    scrubbed(parts.session_factory)
    with parts.session_factory() as session:
        row = session.scalars(select(Concern)).one()
    assert row.text == "They track us? ask [email]"
    assert row.topic == "data_privacy" and row.named_user_id is None
    assert row.reporter == reporter_pseudonym(SECRET_KEY, "T1", "U001")
    assert (row.campaign_id, row.lesson_id) == (campaign, delivery.lesson_id)


def test_an_empty_concern_is_answered_in_the_form(sender: Sender, parts: Parts) -> None:
    view = nudge_blocks.concern_modal(delivery_id=0, lesson_title=None)
    answer = response_json(sender.interactive(view_submission(view, concern_values("  "))))
    assert answer["response_action"] == "errors" and ids.B_CONCERN_TEXT in answer["errors"]
    with parts.session_factory() as session:
        assert session.scalars(select(Concern)).all() == []


def test_a_replayed_submission_schedules_one_campaign(sender: Sender, parts: Parts) -> None:
    view = nudge_schedule_blocks.schedule_modal(parts.library, timezone="Europe/Berlin")
    body = interactive_body(view_submission(view, schedule_values(users=["U001"]), user="UTRAINER"))

    answers = [sender.send(body, "application/x-www-form-urlencoded") for _ in range(3)]

    assert [answer.status for answer in answers] == [200, 200, 200]
    assert response_json(answers[0])["response_action"] == "update"
    assert response_json(answers[1]) == {} and response_json(answers[2]) == {}
    assert len(campaigns(parts)) == 1
