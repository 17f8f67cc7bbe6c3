"""Org-wide installs on Enterprise Grid: one person is one reporter across the org's
workspaces, and payloads whose `team` is null work like any other."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from slack_bolt import App

from bot.blocks import ids
from bot.db.session import SessionFactory
from tests.bot.listeners.test_actions import add_details_value
from tests.slack_requests import (
    Sender,
    block_action,
    dm_event,
    drain,
    event_body,
    interactive_body,
    response_json,
    slash_body,
)
from tests.slack_stand_in import SlackStandIn
from tests.stored import painpoints

ORG = "E0ACME"
PERSON = "W0ORGUSER1"
FORM = "application/x-www-form-urlencoded"


def org_command(sender: Sender, text: str, team: str) -> dict[str, Any]:
    fields = dict(parse_qsl(slash_body(text, user=PERSON, team=team)))
    fields |= {"enterprise_id": ORG, "enterprise_name": "Acme", "is_enterprise_install": "true"}
    return response_json(sender.send(urlencode(fields), FORM))


def org_dm(sender: Sender, text: str, team: str) -> int:
    envelope = json.loads(event_body(dm_event(text, user=PERSON), team=team))
    envelope["enterprise_id"] = ORG
    envelope["is_ext_shared_channel"] = False
    envelope["authorizations"] = [
        {"enterprise_id": ORG, "team_id": None, "user_id": "UBOT", "is_enterprise_install": True}
    ]
    return sender.send(json.dumps(envelope), "application/json").status


def test_one_person_is_one_reporter_across_the_orgs_workspaces(
    sender: Sender, app: App, session_factory: SessionFactory
) -> None:
    org_command(sender, "Expense receipts are retyped by hand", team="T0SALES")
    org_command(sender, "The VPN drops during calls", team="T0SUPPORT")
    assert org_dm(sender, "Onboarding access takes a week", team="T0SALES") == 200
    drain(app)

    rows = painpoints(session_factory)
    assert len(rows) == 3
    assert len({row.reporter for row in rows}) == 1

    mine = org_command(sender, "mine", team="T0SUPPORT")
    listed = json.dumps(mine["blocks"])
    for text in ("Expense receipts", "The VPN drops", "Onboarding access"):
        assert text in listed


def test_add_details_works_when_the_payload_has_no_team(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    receipt = org_command(sender, "Invoices are typed in by hand", team="T0SALES")
    number = add_details_value(receipt)
    action = block_action(ids.ADD_DETAILS, number, user=PERSON)
    action |= {"team": None, "enterprise": {"id": ORG, "name": "Acme"}}
    action["user"] = {"id": PERSON, "team_id": "T0SALES"}
    action["is_enterprise_install"] = True

    response = sender.send(interactive_body(action), FORM)

    assert response.status == 200
    [call] = stand_in.wait_for("views.open")
    assert "Invoices are typed in by hand" in json.dumps(call.params["view"])
