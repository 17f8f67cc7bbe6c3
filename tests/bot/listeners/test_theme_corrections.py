"""Managers correct themes from the details modal (rename, merge, split, move a quoted report);
anyone else is refused inside the modal and nothing changes."""

from __future__ import annotations

import json
import time
from typing import Any

from slack_bolt import App
from sqlalchemy import select

from bot.blocks import ids
from bot.blocks.themes import rename_view
from bot.db.models import PainPoint, Theme, ThemeEvent
from bot.db.session import SessionFactory
from tests.bot.reporting.checks import assert_valid_view
from tests.bot.reporting.factories import seed_theme
from tests.slack_requests import Sender, block_action, drain, response_json, view_submission
from tests.slack_stand_in import SlackStandIn


def in_modal(action_id: str, value: str, user: str = "UMANAGER") -> dict[str, Any]:
    """A click inside the theme details modal: no response URL, a view and a trigger."""
    payload = block_action(action_id, value, user=user)
    payload.pop("response_url")
    payload["container"] = {"type": "view", "view_id": "V1"}
    payload["view"] = {"id": "V1", "type": "modal", "callback_id": "", "blocks": []}
    return payload


def choice_in_modal(action_id: str, theme_id: int, value: str, user: str) -> dict[str, Any]:
    """An option chosen in one of the theme details modal's selects."""
    payload = in_modal(action_id, "", user)
    payload["actions"] = [
        {
            "type": "static_select",
            "action_id": action_id,
            "block_id": f"theme_corrections:{theme_id}",
            "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": value},
            "action_ts": "1.2",
        }
    ]
    return payload


def merge_choice(source: int, target: int, user: str = "UMANAGER") -> dict[str, Any]:
    return choice_in_modal(ids.THEME_MERGE, source, f"{source}:{target}", user)


def move_choice(report: int, target: int, user: str = "UMANAGER") -> dict[str, Any]:
    return choice_in_modal(ids.THEME_MOVE, target, f"{report}:{target}", user)


def quote_moves(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The "Move to…" selects beside the quotes of a theme details modal."""
    return [
        block["accessory"]
        for block in view["blocks"]
        if (block.get("accessory") or {}).get("action_id") == ids.THEME_MOVE
    ]


def test_the_details_modal_offers_the_corrections(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    vpn = seed_theme(session_factory, "VPN drops every hour", reporters=4)
    seed_theme(session_factory, "Expense approvals wait", reporters=3)
    response = sender.interactive(
        block_action(ids.THEME_DETAILS, str(vpn.theme_id), user="UMANAGER")
    )
    assert response.status == 200
    [opened] = stand_in.wait_for("views.open")
    drain(app)
    view = opened.params["view"]
    assert_valid_view(view)
    actions = [
        element["action_id"]
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert {ids.THEME_RENAME, ids.THEME_SPLIT, ids.THEME_MERGE} <= set(actions)
    assert "Expense approvals wait" in json.dumps(view)
    with session_factory() as session:
        reports = set(
            session.scalars(select(PainPoint.id).where(PainPoint.theme_id == vpn.theme_id))
        )
    moves = quote_moves(view)
    assert moves, "each quote can be moved"
    for move in moves:
        report, target = move["options"][0]["value"].split(":")
        assert int(report) in reports and int(target) != vpn.theme_id


def test_a_manager_renames_a_theme_and_the_title_is_locked(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    vpn = seed_theme(session_factory, "VPN drops every hour", reporters=4)
    assert sender.interactive(in_modal(ids.THEME_RENAME, str(vpn.theme_id))).status == 200
    [pushed] = stand_in.wait_for("views.push")
    form = pushed.params["view"]
    values = {
        ids.THEME_RENAME_TITLE: {
            ids.VALUE: {"type": "plain_text_input", "value": "VPN drops during calls"}
        }
    }

    answer = response_json(sender.interactive(view_submission(form, values, user="UMANAGER")))

    assert answer["response_action"] == "update"
    with session_factory() as session:
        theme = session.get(Theme, vpn.theme_id)
        assert theme is not None and theme.title == "VPN drops during calls"
        assert theme.title_locked
        [event] = session.scalars(select(ThemeEvent).where(ThemeEvent.kind == "retitled")).all()
        assert event.actor == "UMANAGER"


def test_a_manager_merges_one_theme_into_another(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    vpn = seed_theme(session_factory, "VPN drops every hour", reporters=4)
    wifi = seed_theme(session_factory, "Office wifi drops", reporters=3)

    assert sender.interactive(merge_choice(wifi.theme_id, vpn.theme_id)).status == 200
    drain(app)

    with session_factory() as session:
        themes = session.execute(select(PainPoint.theme_id, PainPoint.pinned_theme_id)).all()
        assert {theme for theme, _ in themes} == {vpn.theme_id}
        assert {pin for _, pin in themes if pin} == {vpn.theme_id}
        merged = session.get(Theme, wifi.theme_id)
        assert merged is not None and not merged.active
    [told] = stand_in.wait_for("views.push")
    assert "Merged #" in json.dumps(told.params["view"])
    assert told.params["view"]["title"]["text"] == "Done"  # a change made is not a "Sorry"


def test_after_slow_work_the_outcome_comes_by_direct_message_when_the_trigger_is_spent(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    vpn = seed_theme(session_factory, "VPN drops every hour", reporters=4)
    wifi = seed_theme(session_factory, "Office wifi drops", reporters=3)
    stand_in.fail("views.push", error="expired_trigger_id")  # a trigger lasts 3 s

    assert sender.interactive(merge_choice(wifi.theme_id, vpn.theme_id)).status == 200
    drain(app)

    [dm] = stand_in.wait_for("chat.postMessage")
    assert dm.params["channel"] == "UMANAGER" and "Merged #" in dm.params["text"]
    with session_factory() as session:
        merged = session.get(Theme, wifi.theme_id)
        assert merged is not None and not merged.active


def test_a_manager_moves_a_quoted_report_and_it_stays_moved(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    vpn = seed_theme(session_factory, "VPN drops every hour", reporters=4)
    wifi = seed_theme(session_factory, "Office wifi drops", reporters=3)
    with session_factory() as session:
        report = min(
            session.scalars(select(PainPoint.id).where(PainPoint.theme_id == vpn.theme_id))
        )

    assert sender.interactive(move_choice(report, wifi.theme_id)).status == 200
    drain(app)

    with session_factory() as session:
        row = session.get(PainPoint, report)
        assert row is not None and row.theme_id == row.pinned_theme_id == wifi.theme_id
        [event] = session.scalars(select(ThemeEvent).where(ThemeEvent.kind == "moved_in")).all()
        assert event.actor == "UMANAGER"
    [told] = stand_in.wait_for("views.push")
    assert f"Report #{report} is now in theme #{wifi.theme_id}." in json.dumps(told.params["view"])


def test_anyone_else_is_refused_inside_the_modal_and_nothing_changes(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    vpn = seed_theme(session_factory, "VPN drops every hour", reporters=4)
    wifi = seed_theme(session_factory, "Office wifi drops", reporters=3)

    for payload in (
        in_modal(ids.THEME_RENAME, str(vpn.theme_id), user="U100"),
        in_modal(ids.THEME_SPLIT, str(vpn.theme_id), user="U100"),
        merge_choice(wifi.theme_id, vpn.theme_id, user="U100"),
        move_choice(1, wifi.theme_id, user="U100"),
    ):
        assert sender.interactive(payload).status == 200
    drain(app)

    pushed = stand_in.wait_for("views.push", 4)
    assert all("for managers" in json.dumps(call.params["view"]) for call in pushed)
    with session_factory() as session:
        assert session.scalars(select(ThemeEvent).where(ThemeEvent.actor == "U100")).all() == []
        assert all(theme.active for theme in session.scalars(select(Theme)))


def test_a_correction_that_cannot_be_made_is_one_clear_line_and_changes_nothing(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory, app: App
) -> None:
    vpn = seed_theme(session_factory, "VPN drops every hour", reporters=4)  # no embeddings

    assert sender.interactive(in_modal(ids.THEME_SPLIT, str(vpn.theme_id))).status == 200
    drain(app)
    lens = choice_in_modal(ids.THEME_LENS, 999, "999:data_gap", "UMANAGER")
    assert sender.interactive(lens).status == 200
    drain(app)

    split, unknown = (
        json.dumps(call.params["view"]) for call in stand_in.wait_for("views.push", 2)
    )
    assert "A theme needs at least four embedded reports to split." in split
    assert "That theme is no longer available" in unknown  # never an id it did not show
    assert "Traceback" not in split + unknown
    with session_factory() as session:
        assert session.scalars(select(ThemeEvent)).all() == []


def test_a_rename_is_answered_in_time_while_slack_rate_limits_the_role_lookup(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    # A form is answered with its role check's verdict: the check must not wait out a 429.
    vpn = seed_theme(session_factory, "VPN drops every hour", reporters=4)
    stand_in.usergroups["SMANAGERS"] = ["U555"]
    stand_in.fail("usergroups.users.list", status=429, retry_after=5, times=3)
    form = rename_view(vpn.theme_id, "VPN drops every hour")
    values = {ids.THEME_RENAME_TITLE: {ids.VALUE: {"type": "plain_text_input", "value": "VPN"}}}

    started = time.monotonic()
    answer = response_json(sender.interactive(view_submission(form, values, user="U555")))

    assert time.monotonic() - started < 2.5
    assert answer["response_action"] == "errors"  # one clear line, in the form
    with session_factory() as session:
        assert session.scalars(select(ThemeEvent)).all() == []
