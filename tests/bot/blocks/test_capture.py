"""Unit tests of the capture Block Kit builders: shapes, ids and Slack's size limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks import capture as blocks
from bot.blocks import ids
from bot.domain.capture import PainPointView
from bot.domain.text import shorten


def painpoint(number: int = 7, text: str = "Invoices by hand") -> PainPointView:
    return PainPointView(
        id=number,
        text=text,
        details=None,
        source="slash",
        category=None,
        frequency=None,
        hours_per_week=None,
        team=None,
        keep_posted=False,
        created_at=datetime(2026, 3, 2, tzinfo=UTC),
    )


def buttons(rendered: list[dict[str, object]]) -> dict[str, object]:
    return {
        element["action_id"]: element.get("value")
        for block in rendered
        if block["type"] == "actions"
        for element in block["elements"]  # type: ignore[attr-defined]
    }


def test_the_modal_round_trips_through_slack_sdk() -> None:
    view = blocks.report_modal(text="Prefilled", metadata={"source": "modal"})
    assert View(**view).to_dict() == view
    assert [Block.parse(b).to_dict() for b in view["blocks"]] == view["blocks"]  # type: ignore[union-attr]
    assert view["callback_id"] == ids.REPORT_MODAL
    block_ids = [b.get("block_id") for b in view["blocks"]]
    for block_id in (ids.REPORT_TEXT, ids.REPORT_FREQUENCY, ids.REPORT_HOURS,
                     ids.REPORT_CATEGORY, ids.REPORT_TEAM, ids.REPORT_KEEP_POSTED):  # fmt: skip
        assert block_id in block_ids


def test_the_modal_offers_the_audit_lenses_and_frequencies() -> None:
    view = blocks.report_modal()
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    categories = [o["value"] for o in by_id[ids.REPORT_CATEGORY]["element"]["options"]]
    assert categories == [
        "workflow_bottleneck",
        "repetitive_task",
        "data_gap",
        "customer_facing",
        "employee_challenge",
    ]
    frequencies = [o["value"] for o in by_id[ids.REPORT_FREQUENCY]["element"]["options"]]
    assert frequencies == ["daily", "weekly", "monthly", "rarely"]
    hours = by_id[ids.REPORT_HOURS]["element"]
    assert (hours["min_value"], hours["max_value"]) == ("0", "80")
    assert not by_id[ids.REPORT_TEXT].get("optional", False)
    assert by_id[ids.REPORT_HOURS]["optional"] is True


def test_a_long_prefill_is_cut_to_what_the_input_accepts() -> None:
    view = blocks.report_modal(text="a" * 5000)
    [text_block] = [b for b in view["blocks"] if b.get("block_id") == ids.REPORT_TEXT]
    assert len(text_block["element"]["initial_value"]) == blocks.MODAL_TEXT_LIMIT


def test_receipts_carry_the_number_and_their_buttons() -> None:
    def own(rendered: list[dict[str, object]]) -> dict[str, str]:
        # The follow-up answers (How often? Hours a week?) are tested in test_pilots.py.
        return {k: v for k, v in buttons(rendered).items() if not k.startswith(ids.FOLLOWUP_PREFIX)}

    text, rendered = blocks.receipt(painpoint(7))
    assert "#7" in text
    assert own(rendered) == {ids.ADD_DETAILS: "7"}
    assert len(buttons(rendered)) == 1 + 7

    text, rendered = blocks.dm_receipt(painpoint(8))
    assert "#8" in text and "thread" in text
    assert own(rendered) == {ids.ADD_DETAILS: "8", ids.UNDO: "8"}

    text, _ = blocks.dm_receipt(painpoint(8), duplicate=True)
    assert "already recorded" in text


def test_lists_stay_within_slacks_block_limits() -> None:
    many = [painpoint(n, f"Problem {n} " + "x" * 400) for n in range(200)]
    _, message = blocks.mine_message(many)
    assert len(message) <= 50
    home = blocks.home_view(many)
    assert len(home["blocks"]) <= 100
    assert all(len(json.dumps(b)) < 3500 for b in message)


def test_stored_text_cannot_inject_markup_into_lists() -> None:
    _, rendered = blocks.mine_message([painpoint(1, "<!channel> & <https://evil.example|click>")])
    line = json.dumps(rendered)
    assert "<!channel>" not in line
    assert "&lt;!channel&gt; &amp;" in line


def test_help_adds_manager_commands_only_for_managers() -> None:
    assert "digest" not in blocks.help_message()[0]
    assert "digest" in blocks.help_message(is_manager=True)[0]


def test_shorten_marks_the_cut() -> None:
    assert shorten("abcdef", 4) == "abc…"
    assert shorten("abc", 4) == "abc"
