"""Pilot builders: forms, views, the list and DMs stay within Slack's limits and say the right
things; hidden numbers read as words, never as a number."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.followups import followup_blocks, parse_followup
from bot.blocks.pilot_views import (
    pilot_closed_message,
    pilot_message,
    pilot_started_message,
    pilots_message,
    pulse_message,
)
from bot.blocks.pilots import close_modal, pilot_modal
from bot.domain.capture import PainPointView
from bot.domain.pilots import KpiView, PilotDefaults, PilotView, WeekPoint

NOW = datetime(2026, 6, 3, 12, tzinfo=UTC)


def pilot(**changes: object) -> PilotView:
    kpis = (
        KpiView(
            "reports", "reports", "reports/week", 6.0, 2.0, 1.5, (WeekPoint(date(2026, 6, 1), 1.0),)
        ),
        KpiView(
            "hours",
            "hours",
            "h/week per person",
            3.0,
            1.0,
            None,
            (),
            None,
            "fewer than 3 people answered",
        ),
    )
    base = PilotView(
        id=7,
        theme_id=3,
        theme_title="Invoices <typed> by hand & more " + "x" * 300,
        status="running",
        owner="UOWNER",
        objective="Supplier portal",
        start=date(2026, 6, 1),
        end=date(2026, 7, 27),
        kpis=kpis,
        pulse="weekly, Friday 15:00 local time",
        participants=("U1",),
        include_reporters=True,
        created_by="UMANAGER",
        created_at=NOW,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def roundtrip(blocks: list[dict]) -> None:  # type: ignore[type-arg]
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None and parsed.to_dict() == block


def test_the_start_form_is_a_valid_modal_prefilled_from_history() -> None:
    view = pilot_modal(
        PilotDefaults(3, "Invoices", {"reports": 2.5, "hours": None}),
        owner="UMANAGER",
        today=date(2026, 6, 3),
        min_reporters=3,
    )
    View(**view).to_dict()
    by_id = {b["block_id"]: b for b in view["blocks"] if "block_id" in b}
    assert by_id["pilot_reports_baseline"]["element"]["initial_value"] == "2.5"
    assert "initial_value" not in by_id["pilot_hours_baseline"]["element"]
    assert "fewer than 3 people reported" in by_id["pilot_hours_baseline"]["hint"]["text"]
    assert by_id[ids.B_PILOT_END]["element"]["initial_date"] == "2026-07-29"
    assert view["callback_id"] == ids.PILOT_MODAL and view["private_metadata"] == '{"theme_id": 3}'
    View(**close_modal(7, "Invoices")).to_dict()


def test_the_pilot_view_shows_baseline_now_target_and_a_hidden_number_in_words() -> None:
    text, blocks = pilot_message(pilot())
    roundtrip(blocks)
    body = str(blocks)
    assert "baseline 6 → now 1.5 · target 2 ✅" in body
    assert "now _fewer than 3 people answered_" in body
    assert "Invoices &lt;typed&gt;" not in text and len(blocks[0]["text"]["text"]) <= 150
    assert any(b["type"] == "actions" for b in blocks)
    closed = pilot_message(pilot(status="closed", verdict="stop", note="Nobody used it"))[1]
    assert not any(b["type"] == "actions" for b in closed)
    assert "*Verdict: Stop* — Nobody used it" in str(closed)


def test_the_list_never_passes_fifty_blocks() -> None:
    _, blocks = pilots_message([replace(pilot(), id=n) for n in range(80)])
    assert len(blocks) <= 50
    roundtrip(blocks)


def test_the_pulse_marks_the_answer_and_promises_the_minimum() -> None:
    _, blocks = pulse_message(pilot(), delivery_id=99, answer="1-3", k=3)
    roundtrip(blocks)
    buttons = {e["value"]: e for e in blocks[1]["elements"]}
    assert set(buttons) == {"99:none", "99:0-1", "99:1-3", "99:3-5", "99:5+"}
    assert buttons["99:1-3"].get("style") == "primary"
    assert "at least 3 people answered" in str(blocks)


def test_start_and_close_messages_say_what_was_tried_and_what_came_of_it() -> None:
    assert "Supplier portal" in pilot_started_message(pilot())[0]
    text, blocks = pilot_closed_message(pilot(status="closed", verdict="scale", note="Rolled out"))
    roundtrip(blocks)
    assert "What we tried: Supplier portal" in text
    assert "Scale. It worked" in text and "Rolled out" in text
    assert "hours: 3 → fewer than 3 people answered" in text


def test_follow_ups_mark_what_is_stored_and_parse_back() -> None:
    view = PainPointView(1, "t", None, "slash", None, "weekly", 4.0, None, False, NOW)
    blocks = [b.to_dict() for b in followup_blocks(view)]
    styles = {e["value"]: e.get("style") for b in blocks[1:] for e in b["elements"]}
    assert styles["1:weekly"] == "primary" and styles["1:3-5"] == "primary"
    assert styles["1:daily"] is None
    assert parse_followup("painpoint_followup_hours_5+", "12:5+") == ("hours", "5+", 12)
    assert parse_followup("painpoint_followup_hours_40", "12:40") is None
    assert parse_followup("painpoint_undo", "12") is None
