"""The edge: wrong types, bad user ids, NUL and lone surrogates never become rows, and a DM is
stored before Slack gets its 200."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import func, select
from sqlalchemy.exc import DataError

from bot.blocks import capture as capture_blocks
from bot.blocks import ids
from bot.db.models import RequestClaim
from bot.db.session import SessionFactory
from bot.domain.capture import Outcome, PainPointInput
from bot.listeners import edge
from bot.services.capture import CaptureService
from bot.settings import Settings
from tests.conftest import SECRET_KEY, AppMaker
from tests.slack_requests import (
    Sender,
    dm_event,
    drain,
    event_body,
    form_values,
    response_json,
    slash_body,
    view_submission,
)
from tests.slack_stand_in import SlackStandIn
from tests.stored import count_painpoints, painpoints


@pytest.mark.parametrize("user", ["", " ", "U" * 200, "<@U0000001>", "u123", "T0000001"])
def test_a_slash_command_from_no_valid_user_is_answered_and_stores_nothing(
    sender: Sender, session_factory: SessionFactory, user: str
) -> None:
    response = sender.command("Invoices are typed by hand", user=user)

    assert response.status == 200
    assert response_json(response)["text"] == edge.WHO_ARE_YOU
    assert count_painpoints(session_factory) == 0


@pytest.mark.parametrize("text", [["FZ00019"], {"m": "x"}, 3.5, True])
def test_a_dm_whose_text_is_not_text_stores_and_sends_nothing(
    sender: Sender, app: App, stand_in: SlackStandIn, session_factory: SessionFactory, text: Any
) -> None:
    response = sender.send(event_body(dm_event("placeholder") | {"text": text}), "application/json")
    drain(app)

    assert response.status == 200
    assert count_painpoints(session_factory) == 0
    assert stand_in.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("user", ["", "<@U0000001>", "U" * 200])
def test_a_dm_from_no_valid_user_stores_nothing(
    sender: Sender, app: App, session_factory: SessionFactory, user: str
) -> None:
    response = sender.event(dm_event("Invoices are typed by hand", user=user))
    drain(app)
    assert response.status == 200
    assert count_painpoints(session_factory) == 0


def test_nul_and_lone_surrogates_are_removed_before_anything_is_stored(
    sender: Sender, app: App, session_factory: SessionFactory
) -> None:
    assert sender.command("Invoices\x00 by hand").status == 200
    body = json.dumps(json.loads(event_body(dm_event("VPN drops")))).replace(
        "VPN drops", "VPN \\ud800drops\\u0000 hourly"
    )
    assert sender.send(body, "application/json").status == 200
    drain(app)

    assert [row.text for row in painpoints(session_factory)] == [
        "Invoices by hand",
        "VPN drops hourly",
    ]


def test_a_dm_is_stored_before_slack_gets_its_200(
    sender: Sender, app: App, session_factory: SessionFactory
) -> None:
    response = sender.event(dm_event("Approvals wait on one person"))

    # No drain: the listener may still be running, but the row must already be there.
    assert response.status == 200
    assert count_painpoints(session_factory) == 1
    drain(app)


def test_one_report_the_database_refuses_fails_alone(session_factory: SessionFactory) -> None:
    service = CaptureService(session_factory, secret_key=SECRET_KEY)
    store_together = service._batches.store_together

    def refuse_poison(batch: list[Any]) -> Any:
        if any("poison" in item.text for item in batch):
            raise DataError("INSERT", {}, Exception("value refused"))
        return store_together(batch)

    service._batches.store_together = refuse_poison  # type: ignore[method-assign]
    results: dict[str, Any] = {}
    barrier = threading.Barrier(12)

    def report(n: int) -> None:
        text = "poison pill report" if n == 5 else f"Good report number {n}"
        barrier.wait()
        try:
            results[text] = service.record(
                team_id="T1", user_id=f"U{n:03d}", submission=PainPointInput(text, "slash")
            ).outcome
        except DataError as exc:
            results[text] = exc

    threads = [threading.Thread(target=report, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert isinstance(results.pop("poison pill report"), DataError)
    assert set(results.values()) == {Outcome.RECORDED}
    assert count_painpoints(session_factory) == 11


@pytest.mark.parametrize("event_id", [["Ev1"], {"id": "Ev1"}, 5, True])
def test_an_event_whose_id_is_not_text_stores_nothing(
    sender: Sender, app: App, session_factory: SessionFactory, event_id: Any
) -> None:
    envelope = json.loads(event_body(dm_event("Invoices are typed by hand")))
    envelope["event_id"] = event_id
    response = sender.send(json.dumps(envelope), "application/json")
    drain(app)
    assert response.status == 200
    assert count_painpoints(session_factory) == 0


@pytest.mark.parametrize("value", [["FZ00019"], {"m": "x"}, 3.5, True])
def test_a_form_whose_text_is_not_text_is_answered_in_the_form(
    sender: Sender, session_factory: SessionFactory, value: Any
) -> None:
    values = form_values("placeholder")
    values[ids.REPORT_TEXT]["value"]["value"] = value
    answer = response_json(
        sender.interactive(view_submission(capture_blocks.report_modal(), values))
    )
    assert answer["response_action"] == "errors"
    assert ids.REPORT_TEXT in answer["errors"]
    assert count_painpoints(session_factory) == 0


def test_bytes_that_were_not_text_leave_no_replacement_marks(
    sender: Sender, session_factory: SessionFactory
) -> None:
    response = sender.command("\ufffd\ufffd")
    # Nothing readable is left, so the form opens as for an empty `/painpoint`.
    assert response.status == 200 and response_json(response) == {}
    assert count_painpoints(session_factory) == 0


@pytest.mark.parametrize("field", ["ts", "thread_ts", "channel", "channel_type"])
def test_a_dm_whose_fields_are_not_text_stores_nothing_and_gets_200(
    sender: Sender, app: App, session_factory: SessionFactory, field: str
) -> None:
    response = sender.send(
        event_body(dm_event("Invoices are typed by hand") | {field: ["x"]}), "application/json"
    )
    drain(app)
    assert response.status == 200
    assert count_painpoints(session_factory) == 0


@pytest.mark.parametrize("window_hours", [24, 0])
def test_a_replayed_report_command_is_stored_once_and_claims_only_without_a_duplicate_window(
    settings: Settings, make_app: AppMaker, session_factory: SessionFactory, window_hours: int
) -> None:
    # With a duplicate window the report's own rule keeps a replay out, so the command costs
    # no claim on the acknowledgement path; without one, the claim does it.
    app = make_app(settings.model_copy(update={"duplicate_window_hours": window_hours}))
    body = slash_body("The VPN drops every hour", user="U0REPLAY")
    for _ in range(2):
        assert Sender(app).send(body, "application/x-www-form-urlencoded").status == 200
        drain(app)

    assert count_painpoints(session_factory) == 1
    with session_factory() as session:
        claims = session.scalar(select(func.count()).select_from(RequestClaim))
    assert claims == (0 if window_hours else 1)
