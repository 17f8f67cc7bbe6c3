"""Scenario tests: the digest's controls (Show more, status select, Details) and the won't-fix
reason modal. Each control re-checks the manager role; status changes are logged and close
the loop with the reporters who asked to be kept posted — and nobody else."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import select

from bot.blocks.ids import (
    DIGEST_SHOW_MORE,
    THEME_DETAILS,
    THEME_STATUS,
    WONT_FIX_MODAL,
    WONT_FIX_REASON,
)
from bot.db.models import Theme, ThemeEvent
from bot.db.session import SessionFactory
from tests.bot.reporting.checks import (
    assert_absent,
    assert_valid_blocks,
    assert_valid_view,
    everything_sent,
)
from tests.bot.reporting.factories import Seeded, seed_theme
from tests.slack_requests import Sender, block_action, drain, response_json, view_submission
from tests.slack_stand_in import Call, SlackStandIn

SECRET_TITLE = "Complaint about Bob in payroll"


def click(
    sender: Sender,
    stand_in: SlackStandIn,
    action_id: str,
    value: str,
    *,
    user: str = "UMANAGER",
    ephemeral: bool = False,
) -> None:
    payload = block_action(action_id, value, user=user, response_url=stand_in.response_url(user))
    if ephemeral:
        payload["container"]["is_ephemeral"] = True
    response = sender.interactive(payload)
    assert response.status == 200


def pick_status(
    sender: Sender, stand_in: SlackStandIn, theme_id: int, status: str, user: str = "UMANAGER"
) -> None:
    payload = block_action(THEME_STATUS, "", user=user, response_url=stand_in.response_url(user))
    payload["actions"] = [
        {
            "type": "static_select",
            "action_id": THEME_STATUS,
            "block_id": f"theme:{theme_id}",
            "selected_option": {
                "text": {"type": "plain_text", "text": status},
                "value": f"{theme_id}:{status}",
            },
            "action_ts": "1.2",
        }
    ]
    assert sender.interactive(payload).status == 200


def reason_values(reason: str) -> dict[str, Any]:
    return {WONT_FIX_REASON: {"value": {"type": "plain_text_input", "value": reason}}}


def status_events(session_factory: SessionFactory, theme_id: int) -> list[ThemeEvent]:
    with session_factory() as session:
        return list(
            session.scalars(
                select(ThemeEvent)
                .where(ThemeEvent.theme_id == theme_id, ThemeEvent.kind == "status")
                .order_by(ThemeEvent.id)
            )
        )


def theme_status(session_factory: SessionFactory, theme_id: int) -> tuple[str, str | None]:
    with session_factory() as session:
        theme = session.get(Theme, theme_id)
        assert theme is not None
        return theme.status, theme.status_reason


def dms(stand_in: SlackStandIn) -> dict[str, list[Call]]:
    sent: dict[str, list[Call]] = {}
    for call in stand_in.calls_to("chat.postMessage"):
        sent.setdefault(call.params["channel"], []).append(call)
    return sent


@pytest.fixture
def vpn(session_factory: SessionFactory) -> Seeded:
    """A theme with four reporters: two asked to be kept posted (one of them twice)."""
    seeded = seed_theme(
        session_factory,
        "VPN drops every hour",
        reporters=["p1", "p2", "p3", "p4", "p1"],
        keep_posted={"p1": "U001", "p3": "U003"},
    )
    seed_theme(session_factory, "Printing is slow", reporters=3, keep_posted={})
    other = seed_theme(session_factory, "Other theme", reporters=["o1", "o2", "o3"])
    # An opted-in reporter of another theme is not told about this one.
    seed_theme(
        session_factory,
        "Other theme",
        reporters=["o4"],
        keep_posted={"o4": "U009"},
        theme_id=other.theme_id,
    )
    return seeded


@pytest.fixture
def secret(session_factory: SessionFactory) -> Seeded:
    return seed_theme(
        session_factory,
        SECRET_TITLE,
        reporters=["s1", "s2"],
        reports_per_reporter=6,
        keep_posted={"s1": "U777"},
    )


# --- role first ------------------------------------------------------------------------------


@pytest.mark.parametrize("control", ["show_more", "status", "wont_fix", "details"])
def test_a_non_manager_clicking_a_digest_control_is_refused(
    sender: Sender,
    app: App,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    vpn: Seeded,
    control: str,
) -> None:
    if control == "show_more":
        click(
            sender,
            stand_in,
            DIGEST_SHOW_MORE,
            json.dumps({"period": "30d", "page": 1}),
            user="U100",
        )
    elif control == "details":
        click(sender, stand_in, THEME_DETAILS, str(vpn.theme_id), user="U100")
    else:
        pick_status(sender, stand_in, vpn.theme_id, control.replace("status", "piloting"), "U100")

    [answer] = stand_in.wait_for("response_url")
    drain(app)

    assert "for managers" in answer.params["text"]
    assert answer.params.get("replace_original") is False
    assert not re.search(r"\d", json.dumps(answer.params))
    assert_absent(everything_sent(stand_in), ["VPN drops", "Printing", SECRET_TITLE])
    assert {call.method for call in stand_in.calls} <= {
        "auth.test",
        "response_url",
        "usergroups.users.list",
    }
    assert status_events(session_factory, vpn.theme_id) == []
    assert theme_status(session_factory, vpn.theme_id) == ("new", None)


def test_a_non_manager_cannot_submit_the_wont_fix_modal(
    sender: Sender, app: App, stand_in: SlackStandIn, session_factory: SessionFactory, vpn: Seeded
) -> None:
    view = {
        "type": "modal",
        "callback_id": WONT_FIX_MODAL,
        "private_metadata": json.dumps({"theme_id": vpn.theme_id}),
    }

    response = sender.interactive(view_submission(view, reason_values("because"), user="U100"))
    drain(app)

    assert response_json(response)["response_action"] == "errors"
    assert "Only managers" in response_json(response)["errors"][WONT_FIX_REASON]
    assert theme_status(session_factory, vpn.theme_id) == ("new", None)
    assert stand_in.calls_to("chat.postMessage") == []


def test_a_member_of_the_managers_user_group_may_change_a_status(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, vpn: Seeded
) -> None:
    stand_in.usergroups["SMANAGERS"] = ["U555"]

    pick_status(sender, stand_in, vpn.theme_id, "under_review", user="U555")
    stand_in.wait_for("response_url")

    [event] = status_events(session_factory, vpn.theme_id)
    assert event.actor == "U555"


# --- Show more -------------------------------------------------------------------------------


def seed_many(session_factory: SessionFactory, count: int = 7) -> list[str]:
    titles = [f"Theme {chr(65 + i)} problem" for i in range(count)]
    for i, title in enumerate(titles):
        seed_theme(session_factory, title, reporters=3 + count - i)  # ordered A, B, C, ...
    return titles


def test_show_more_replaces_the_dm_digest_with_its_next_page(
    sender: Sender,
    app: App,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    secret: Seeded,
) -> None:
    titles = seed_many(session_factory)

    click(
        sender, stand_in, DIGEST_SHOW_MORE, json.dumps({"period": "30d", "team": None, "page": 1})
    )
    [update] = stand_in.wait_for("chat.update")
    drain(app)

    assert (update.params["channel"], update.params["ts"]) == ("D100", "1.1")
    blocks = update.params["blocks"]
    assert_valid_blocks(blocks)
    rendered = json.dumps(blocks)
    assert titles[5] in rendered and titles[6] in rendered
    assert titles[0] not in rendered
    assert "Page 2 of 2" in rendered
    assert DIGEST_SHOW_MORE not in rendered, "the last page has no Show more"
    assert_absent(everything_sent(stand_in), [SECRET_TITLE])


def test_show_more_on_an_ephemeral_digest_replaces_it_through_response_url(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    titles = seed_many(session_factory)

    click(
        sender,
        stand_in,
        DIGEST_SHOW_MORE,
        json.dumps({"period": "all", "team": None, "page": 1}),
        ephemeral=True,
    )
    [answer] = stand_in.wait_for("response_url")

    assert answer.params["replace_original"] is True
    assert titles[5] in json.dumps(answer.params["blocks"])
    assert stand_in.calls_to("chat.update") == []


def test_a_stale_show_more_button_is_handled(sender: Sender, stand_in: SlackStandIn) -> None:
    click(sender, stand_in, DIGEST_SHOW_MORE, "not json")
    [answer] = stand_in.wait_for("response_url")
    assert "out of date" in answer.params["text"]


# --- status changes --------------------------------------------------------------------------


def test_a_status_change_is_logged_and_each_opted_in_reporter_gets_one_dm(
    sender: Sender, app: App, stand_in: SlackStandIn, session_factory: SessionFactory, vpn: Seeded
) -> None:
    pick_status(sender, stand_in, vpn.theme_id, "piloting")
    [answer] = stand_in.wait_for("response_url")
    drain(app)

    assert theme_status(session_factory, vpn.theme_id) == ("piloting", None)
    [event] = status_events(session_factory, vpn.theme_id)
    assert (event.actor, event.detail["status"]) == ("UMANAGER", "piloting")
    assert event.created_at is not None

    sent = dms(stand_in)
    assert sorted(sent) == ["U001", "U003"], "opted-in reporters of this theme only"
    for user, (dm, *more) in sent.items():
        assert more == [], f"{user} got more than one DM"
        text = json.dumps(dm.params, ensure_ascii=False)
        assert "VPN drops every hour" in text and "Piloting" in text
        others = {"U001", "U003", "U009", "UMANAGER"} - {user}
        assert_absent(text, [*others, "p1", "p2", "p3", "p4", "r-"])
    assert "VPN drops every hour" in answer.params["text"]
    assert "2 people who asked to be kept posted were told" in answer.params["text"]


def test_choosing_the_current_status_again_tells_nobody(
    sender: Sender, app: App, stand_in: SlackStandIn, session_factory: SessionFactory, vpn: Seeded
) -> None:
    pick_status(sender, stand_in, vpn.theme_id, "addressed")
    stand_in.wait_for("response_url")
    pick_status(sender, stand_in, vpn.theme_id, "addressed")
    [_, second] = stand_in.wait_for("response_url", 2)
    drain(app)

    assert "already" in second.params["text"]
    assert len(status_events(session_factory, vpn.theme_id)) == 1
    assert sorted(dms(stand_in)) == ["U001", "U003"]
    assert all(len(calls) == 1 for calls in dms(stand_in).values())


def test_an_invalid_status_choice_is_refused(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, vpn: Seeded
) -> None:
    pick_status(sender, stand_in, vpn.theme_id, "done")
    [answer] = stand_in.wait_for("response_url")
    assert "not valid" in answer.params["text"]
    assert status_events(session_factory, vpn.theme_id) == []


def test_wont_fix_asks_for_a_reason_then_saves_it_and_tells_reporters(
    sender: Sender, app: App, stand_in: SlackStandIn, session_factory: SessionFactory, vpn: Seeded
) -> None:
    pick_status(sender, stand_in, vpn.theme_id, "wont_fix")
    [opened] = stand_in.wait_for("views.open")
    view = opened.params["view"]
    assert_valid_view(view)
    assert view["callback_id"] == WONT_FIX_MODAL
    assert "VPN drops every hour" in json.dumps(view)
    assert theme_status(session_factory, vpn.theme_id) == ("new", None), "nothing saved yet"
    assert stand_in.calls_to("chat.postMessage") == []

    empty = sender.interactive(view_submission(view, reason_values("   "), user="UMANAGER"))
    assert response_json(empty) == {
        "response_action": "errors",
        "errors": {WONT_FIX_REASON: "Please give a reason."},
    }
    assert theme_status(session_factory, vpn.theme_id) == ("new", None)

    saved = sender.interactive(
        view_submission(view, reason_values("The VPN is replaced in March"), user="UMANAGER")
    )
    assert response_json(saved)["response_action"] == "update"
    stand_in.wait_for("chat.postMessage", 2)
    drain(app)

    assert theme_status(session_factory, vpn.theme_id) == (
        "wont_fix",
        "The VPN is replaced in March",
    )
    [event] = status_events(session_factory, vpn.theme_id)
    assert event.actor == "UMANAGER"
    assert event.detail == {"status": "wont_fix", "reason": "The VPN is replaced in March"}
    sent = dms(stand_in)
    assert sorted(sent) == ["U001", "U003"]
    for [dm] in sent.values():
        assert "Won't fix" in dm.params["text"]
        assert "The VPN is replaced in March" in dm.params["text"]


@pytest.mark.parametrize("status", ["under_review", "wont_fix"])
def test_a_status_change_on_a_theme_below_k_is_refused_without_naming_it(
    sender: Sender,
    app: App,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    secret: Seeded,
    status: str,
) -> None:
    # The digest never shows this theme, but a stale button (the theme lost reporters since)
    # may still carry its id: its title must not come back in the reply or a modal.
    pick_status(sender, stand_in, secret.theme_id, status)
    [answer] = stand_in.wait_for("response_url")
    drain(app)

    assert "no longer available" in answer.params["text"]
    assert stand_in.calls_to("views.open") == []
    assert stand_in.calls_to("chat.postMessage") == []
    assert status_events(session_factory, secret.theme_id) == []
    assert_absent(everything_sent(stand_in), [SECRET_TITLE, "Bob"])


# --- details ---------------------------------------------------------------------------------


def test_details_open_a_modal_about_the_theme(
    sender: Sender, app: App, stand_in: SlackStandIn, session_factory: SessionFactory, vpn: Seeded
) -> None:
    click(sender, stand_in, THEME_DETAILS, str(vpn.theme_id))
    [opened] = stand_in.wait_for("views.open")
    drain(app)

    view = opened.params["view"]
    assert_valid_view(view)
    rendered = json.dumps(view)
    assert "VPN drops every hour" in rendered
    assert "4 people" in rendered
    assert_absent(everything_sent(stand_in), ["p1", "U001", "U003"])


@pytest.mark.parametrize("value", ["secret", "999999", "abc", ""])
def test_details_of_a_theme_below_k_or_unknown_are_not_available(
    sender: Sender,
    app: App,
    stand_in: SlackStandIn,
    session_factory: SessionFactory,
    secret: Seeded,
    value: str,
) -> None:
    click(sender, stand_in, THEME_DETAILS, str(secret.theme_id) if value == "secret" else value)
    [answer] = stand_in.wait_for("response_url")
    drain(app)

    assert "no longer available" in answer.params["text"]
    assert stand_in.calls_to("views.open") == []
    assert_absent(everything_sent(stand_in), [SECRET_TITLE, "Bob"])
