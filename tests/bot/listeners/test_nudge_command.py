"""Scenario tests: `/nudge` (trainers only, role checked before any data) and
`/painpoint settings`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.db.session import SessionFactory
from bot.settings import Settings
from tests.bot.nudge_parts import Parts, make_parts
from tests.slack_requests import Sender, response_json
from tests.slack_stand_in import SlackStandIn


@pytest.fixture
def parts(
    settings: Settings, session_factory: SessionFactory, stand_in: SlackStandIn
) -> Iterator[Parts]:
    built = make_parts(settings, session_factory, stand_in)
    yield built
    built.dispatcher.close()


def nudge(
    sender: Sender, stand_in: SlackStandIn, text: str, user: str, answers: int = 1
) -> dict[str, object]:
    """Send `/nudge text`; return the answer that came back through response_url."""
    response = sender.command(
        text, user=user, command="/nudge", response_url=stand_in.response_url(user)
    )
    assert response.status == 200
    assert response_json(response) == {}  # acknowledged at once, answered afterwards
    call = stand_in.wait_for("response_url", answers)[answers - 1]
    assert call.params["response_type"] == "ephemeral"
    return call.params


@pytest.mark.parametrize("text", ["", "list", "stats 1", "cancel 1", "concerns", "help"])
def test_non_trainers_get_a_refusal_with_no_data(
    sender: Sender, stand_in: SlackStandIn, parts: Parts, text: str
) -> None:
    campaign = parts.schedule(["U001"])
    parts.service.concerns.record(team_id="T1", user_id="U1", text="secret worry", topic="other")
    answer = json.dumps(nudge(sender, stand_in, text, "U100"))
    assert "for trainers" in answer
    assert (
        "good and bad" not in answer
        and "secret worry" not in answer
        and f"#{campaign}" not in answer
    )
    assert not stand_in.calls_to("views.open")
    assert parts.service.get(campaign).status == "active"  # type: ignore[union-attr]


def test_a_trainer_gets_the_form_in_their_own_time_zone(
    sender: Sender, stand_in: SlackStandIn, parts: Parts
) -> None:
    stand_in.users["UTRAINER"] = {"tz": "Europe/Berlin"}
    sender.command("", user="UTRAINER", command="/nudge")
    view = stand_in.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == "nudge_schedule"
    assert json.loads(view["private_metadata"]) == {"tz": "Europe/Berlin"}
    content = next(b for b in view["blocks"] if b.get("block_id") == "content")
    groups = content["element"]["option_groups"]
    assert [g["label"]["text"] for g in groups] == ["Tracks", "Lessons"]
    assert len(groups[1]["options"]) == 20 and len(groups[0]["options"]) == 4
    block_ids = {b.get("block_id") for b in view["blocks"]}
    assert {
        "users",
        "channels",
        "groups",
        "when",
        "date",
        "time",
        "weekdays",
        "options",
    } <= block_ids
    assert "theme" not in block_ids  # no theme passes the minimum yet
    options = next(b for b in view["blocks"] if b.get("block_id") == "options")["element"]
    assert [o["value"] for o in options["initial_options"]] == ["local_time"]


def test_list_cancel_and_stats(sender: Sender, stand_in: SlackStandIn, parts: Parts) -> None:
    campaign = parts.schedule(["U001"])
    parts.runner.fire(campaign)
    parts.drain()
    listed = json.dumps(nudge(sender, stand_in, "list", "UTRAINER", 1))
    assert f"#{campaign}" in listed and "What AI assistants are good and bad at" in listed
    assert "sent 1" in listed
    stats = json.dumps(nudge(sender, stand_in, f"stats {campaign}", "UTRAINER", 2))
    assert "delivered 1" in stats and "helpful 0%" in stats
    cancelled = json.dumps(nudge(sender, stand_in, f"cancel #{campaign}", "UTRAINER", 3))
    assert "is cancelled" in cancelled
    assert parts.service.get(campaign).status == "cancelled"  # type: ignore[union-attr]
    missing = json.dumps(nudge(sender, stand_in, "stats 999", "UTRAINER", 4))
    assert "no campaign #999" in missing
    usage = json.dumps(nudge(sender, stand_in, "what", "UTRAINER", 5))
    assert "/nudge concerns" in usage


def test_concerns_show_only_groups_enough_people_share(
    sender: Sender, stand_in: SlackStandIn, parts: Parts
) -> None:
    concerns = parts.service.concerns
    for n in range(3):
        concerns.record(
            team_id="T1",
            user_id=f"U{n}",
            text=f"Where does our data go? ({n})",
            topic="data_privacy",
        )
    concerns.record(team_id="T1", user_id="U9", text="Only I worry about this", topic="workload")
    answer = json.dumps(nudge(sender, stand_in, "concerns", "UTRAINER"))
    assert "Data privacy" in answer and "3 concerns from 3 people" in answer
    assert "Where does our data go?" in answer
    assert "Only I worry" not in answer
    assert "1 smaller signals" in answer


def test_painpoint_settings_shows_nudge_status_with_a_resume_button(
    sender: Sender, parts: Parts
) -> None:
    body = response_json(sender.command("settings", user="U001"))
    assert "Nudges are on" in body["text"]
    assert body["blocks"][1]["elements"][0]["action_id"] == "nudge_pause"
    parts.service.set_paused("U001", True)
    body = response_json(sender.command("settings", user="U001"))
    assert "paused" in body["text"]
    assert body["blocks"][1]["elements"][0]["action_id"] == "nudge_resume"
