"""Scenario tests: the App Home tab shows purpose, protection and only the user's own reports."""

from __future__ import annotations

import json
import re

from slack_bolt import App

from bot.blocks import ids
from tests.slack_requests import Sender, app_home_opened, drain, response_json
from tests.slack_stand_in import SlackStandIn


def test_home_lists_only_the_users_own_pain_points(sender: Sender, stand_in: SlackStandIn) -> None:
    sender.command("Mine: the expense tool logs me out")
    sender.command("Mine: quarterly planning spreadsheets")
    sender.command("Theirs: the wiki search is useless", user="U200")

    response = sender.event(app_home_opened("U100"))

    assert response.status == 200
    call = stand_in.wait_for("views.publish")[0]
    assert call.params["user_id"] == "U100"
    view = call.params["view"]
    assert view["type"] == "home"
    rendered = json.dumps(view)
    assert "the expense tool logs me out" in rendered
    assert "quarterly planning spreadsheets" in rendered
    assert "wiki search" not in rendered
    assert "Received" in rendered
    assert "What is kept" in rendered and "/painpoint forget" in rendered
    buttons = [
        element["action_id"]
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert buttons == [ids.OPEN_REPORT]


def test_home_of_a_new_user_says_nothing_yet(sender: Sender, stand_in: SlackStandIn) -> None:
    sender.command("Theirs: the wiki search is useless", user="U200")
    sender.event(app_home_opened("U100"))
    view = stand_in.wait_for("views.publish")[0].params["view"]
    assert "Nothing yet" in json.dumps(view)
    assert "wiki" not in json.dumps(view)


def test_the_messages_tab_publishes_nothing(
    sender: Sender, stand_in: SlackStandIn, app: App
) -> None:
    sender.event(app_home_opened("U100", tab="messages"))
    drain(app)
    assert stand_in.calls_to("views.publish") == []


def test_home_shows_an_erased_pain_point_no_more(sender: Sender, stand_in: SlackStandIn) -> None:
    receipt = response_json(sender.command("Soon gone: badge printer"))
    number = re.search(r"#(\d+)", receipt["text"]).group(1)
    assert "erased" in response_json(sender.command(f"delete {number}"))["text"]
    sender.event(app_home_opened("U100"))
    view = stand_in.wait_for("views.publish")[0].params["view"]
    assert "badge printer" not in json.dumps(view)
