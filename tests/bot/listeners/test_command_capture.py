"""Scenario tests: `/painpoint <text>` through signed requests, a real database and the stand-in."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import PainPoint
from bot.db.session import SessionFactory
from tests.slack_requests import Sender, response_json
from tests.slack_stand_in import SlackStandIn
from tests.stored import scrubbed


def count_rows(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(PainPoint)) or 0


def test_text_is_recorded_scrubbed_and_pseudonymous(
    sender: Sender, session_factory: SessionFactory
) -> None:
    response = sender.command(
        "Copying invoices by hand, ask jane@example.com or call +1 415 555 0134"
    )
    assert response.status == 200
    body = response_json(response)
    assert "#1" in body["text"]
    assert any(b.get("type") == "actions" for b in body["blocks"])
    scrubbed(session_factory)
    with session_factory() as session:
        row = session.scalars(select(PainPoint)).one()
    assert row.text == "Copying invoices by hand, ask [email] or call [phone]"
    assert row.source == "slash"
    assert "U100" not in row.reporter and len(row.reporter) == 64
    assert row.notify_user_id is None


def test_same_text_twice_is_stored_once(sender: Sender, session_factory: SessionFactory) -> None:
    sender.command("The VPN drops every hour")
    again = response_json(sender.command("the VPN drops every hour."))
    assert "already recorded" in again["text"]
    assert count_rows(session_factory) == 1


def test_too_long_text_is_refused_with_the_limit(
    sender: Sender, session_factory: SessionFactory
) -> None:
    body = response_json(sender.command("x" * 4001))
    assert "4,000" in body["text"]
    assert count_rows(session_factory) == 0


def test_empty_text_opens_the_modal(
    sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    response = sender.command("   ")
    assert response.status == 200
    call = stand_in.wait_for("views.open")[0]
    assert call.params["view"]["callback_id"] == "painpoint_report"
    assert count_rows(session_factory) == 0
