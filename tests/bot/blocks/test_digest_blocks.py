"""The digest, theme-details, won't-fix, notification and spike-alert builders stay valid Block
Kit whatever the data: any number of themes, any length of title or quote."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.blocks.digest import (
    digest_message,
    spike_alert,
    status_notification,
    theme_details_view,
    wont_fix_view,
)
from bot.blocks.ids import (
    DIGEST_SHOW_MORE,
    PILOT_START,
    THEME_DETAILS,
    THEME_STATUS,
    WONT_FIX_MODAL,
    WONT_FIX_REASON,
)
from bot.domain.themes import InsightReport, trend_label
from tests.bot.reporting.checks import assert_valid_blocks, assert_valid_view
from tests.bot.reporting.factories import insight_report, summary

HUGE = 10_000


def all_pages(report: InsightReport, **kwargs: Any) -> list[list[dict[str, Any]]]:
    """Follow "Show more" from page 0 to the end; return every page's blocks."""
    pages: list[list[dict[str, Any]]] = []
    page = 0
    while True:
        _text, blocks = digest_message(report, page=page, **kwargs)
        pages.append(blocks)
        more = [
            element
            for block in blocks
            if block["type"] == "actions"
            for element in block["elements"]
            if element.get("action_id") == DIGEST_SHOW_MORE
        ]
        if not more:
            return pages
        state = json.loads(more[0]["value"])
        assert state["page"] == page + 1
        assert state["period"] == report.period and state["team"] == report.team
        page = state["page"]
        assert page < 1000, "paging never ends"


def theme_ids_on(blocks: list[dict[str, Any]]) -> list[int]:
    return [
        int(block["block_id"].split(":")[1])
        for block in blocks
        if block["type"] == "actions" and str(block.get("block_id", "")).startswith("theme:")
    ]


@pytest.mark.parametrize("count", [0, 1, 50, 500])
def test_every_digest_page_is_valid_and_within_50_blocks(count: int) -> None:
    report = insight_report([summary(i) for i in range(1, count + 1)], smaller_signals=4)

    pages = all_pages(report)

    for blocks in pages:
        assert_valid_blocks(blocks)
    shown = [theme_id for blocks in pages for theme_id in theme_ids_on(blocks)]
    assert shown == list(range(1, count + 1)), "every theme appears once, in order"
    assert len(pages) == max(1, -(-count // 5))


@pytest.mark.parametrize("count", [0, 1, 50, 500])
def test_the_channel_digest_has_no_controls_and_stays_within_50_blocks(count: int) -> None:
    report = insight_report([summary(i) for i in range(1, count + 1)])

    text, blocks = digest_message(report, controls=False, per_page=10)

    assert_valid_blocks(blocks)
    assert not [b for b in blocks if b["type"] == "actions"]
    assert f"{count} themes" in text


@pytest.mark.parametrize("per_page", [5, 10, 12])
def test_a_page_of_themes_with_every_part_at_its_longest_stays_within_limits(
    per_page: int,
) -> None:
    themes = [
        summary(
            i,
            title="T" * HUGE,
            quotes=["q" * HUGE, "<&>" * HUGE, "word " * HUGE],
            keywords=["k" * HUGE] * 30,
            spike=True,
        )
        for i in range(1, 40)
    ]
    report = insight_report(themes, team="F" * 80, smaller_signals=10**6, suppressed=10**7)

    for blocks in all_pages(report, per_page=per_page):
        assert_valid_blocks(blocks)


def test_long_titles_and_quotes_are_shortened_not_dropped() -> None:
    title = "Expense approvals " + "x" * HUGE
    quote = "I wait for the approval " + "y" * HUGE
    report = insight_report([summary(1, title=title, quotes=[quote])])

    _text, blocks = digest_message(report)

    assert_valid_blocks(blocks)
    rendered = json.dumps(blocks, ensure_ascii=False)
    assert "Expense approvals xxx" in rendered and "…" in rendered
    assert "I wait for the approval yyy" in rendered
    assert "x" * 200 not in rendered
    assert "y" * 300 not in rendered


def test_mrkdwn_in_titles_and_quotes_is_escaped() -> None:
    report = insight_report(
        [summary(1, title="<!channel> & <@U123>", quotes=["<https://evil.example|click>"])]
    )

    _text, blocks = digest_message(report)

    rendered = json.dumps(blocks)
    assert "<!channel>" not in rendered
    assert "<@U123>" not in rendered
    assert "<https://evil" not in rendered
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in rendered


def test_a_digest_theme_shows_its_numbers_two_quotes_keywords_and_controls() -> None:
    theme = summary(
        7,
        title="Invoices typed in by hand",
        quotes=["first quote", "second quote", "third quote"],
        keywords=["invoice", "typing"],
        reporters=5,
        size=9,
        status="piloting",
    )
    _text, blocks = digest_message(insight_report([theme]))

    rendered = json.dumps(blocks, ensure_ascii=False)
    for expected in (
        "Invoices typed in by hand",
        "5 people",
        "9 reports",
        "12 h/week",
        "Workflow bottleneck",
        "Piloting",
        "invoice, typing",
        "first quote",
        "second quote",
    ):
        assert expected in rendered, expected
    assert "third quote" not in rendered, "two quotes per theme in the digest"
    [actions] = [b for b in blocks if b["type"] == "actions"]
    select, details, pilot = actions["elements"]
    assert (pilot["action_id"], pilot["value"]) == (PILOT_START, "7")
    assert select["action_id"] == THEME_STATUS
    assert select["initial_option"]["value"] == "7:piloting"
    assert [o["value"] for o in select["options"]] == [
        "7:new",
        "7:under_review",
        "7:piloting",
        "7:addressed",
        "7:wont_fix",
    ]
    assert details["action_id"] == THEME_DETAILS and details["value"] == "7"


def test_smaller_signals_are_counted_never_named() -> None:
    report = insight_report([summary(1)], smaller_signals=3, suppressed=11)

    _text, blocks = digest_message(report)

    footer = json.dumps(blocks[-1])
    assert "3 smaller signals (11 reports)" in footer
    assert "fewer than 3 reporters" in footer


@pytest.mark.parametrize(
    ("unassigned", "expected"), [(0, None), (1, "1 report fits"), (26, "26 reports fit")]
)
def test_one_offs_are_a_count_in_the_footer_never_a_text(
    unassigned: int, expected: str | None
) -> None:
    report = insight_report([summary(1)], unassigned=unassigned)

    _text, blocks = digest_message(report)

    rendered = json.dumps(blocks)
    if expected is None:
        assert "one-offs" not in rendered
    else:
        footer = json.dumps(blocks[-1])
        assert f"{expected} no theme yet (one-offs)" in footer
        assert "counted, not shown" in footer


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "No pain points have been reported in this selection yet."),
        (8, "nothing has been reported by 3 or more people"),
    ],
)
def test_an_empty_digest_says_why_plainly(total: int, expected: str) -> None:
    report = insight_report([], total=total, smaller_signals=2 if total else 0)

    text, blocks = digest_message(report)

    assert_valid_blocks(blocks)
    assert "0 themes" in text
    assert expected in json.dumps(blocks)


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [(10, 5, "↑ +100%"), (5, 10, "↓ -50%"), (10, 10, "→ steady"), (4, 0, "🆕 new")],
)
def test_trend_arrows(current: int, previous: int, expected: str) -> None:
    theme = replace(summary(1), current_count=current, previous_count=previous)
    assert trend_label(theme) == expected


def test_theme_details_modal_is_valid_even_with_huge_fields() -> None:
    theme = summary(
        123456789012345678,
        title="D" * HUGE,
        quotes=["q" * HUGE] * 3,
        keywords=["k" * 500] * 50,
        status="wont_fix",
        status_reason="r" * HUGE,
    )
    theme.categories.update({f"cat{i}": i for i in range(50)})
    theme.teams.update({"T" * 80 + str(i): i for i in range(200)})

    view = theme_details_view(theme, suggestions=["s" * HUGE] * 20)

    assert_valid_view(view)
    assert view["type"] == "modal"
    assert len(view["title"]["text"]) <= 24


def test_theme_details_modal_shows_everything_about_the_theme() -> None:
    theme = summary(
        4,
        title="Month-end close",
        quotes=["one", "two", "three"],
        status="wont_fix",
        status_reason="Replaced next year",
    )
    view = theme_details_view(theme)

    assert_valid_view(view)
    rendered = json.dumps(view)
    for expected in ("Month-end close", "one", "two", "three", "Finance", "Replaced next year"):
        assert expected in rendered
    assert view["title"]["text"] == "Theme #4"


def test_wont_fix_modal_asks_for_a_reason_and_carries_the_theme() -> None:
    view = wont_fix_view(42, "W" * HUGE, {"channel": "C1"})

    assert_valid_view(view)
    assert view["callback_id"] == WONT_FIX_MODAL
    assert json.loads(view["private_metadata"]) == {"theme_id": 42, "channel": "C1"}
    [reason] = [b for b in view["blocks"] if b["type"] == "input"]
    assert reason["block_id"] == WONT_FIX_REASON
    assert reason["element"]["max_length"] == 500


def test_status_notification_names_the_theme_and_new_status_only() -> None:
    text, blocks = status_notification("Invoices typed in by hand", "addressed", None)

    assert_valid_blocks(blocks)
    assert "Invoices typed in by hand" in text and "Addressed" in text
    assert "Reason" not in text


def test_status_notification_with_a_long_reason_is_shortened() -> None:
    text, blocks = status_notification("T" * HUGE, "wont_fix", "because " + "r" * HUGE)

    assert_valid_blocks(blocks)
    assert "Won't fix" in text and "because rrr" in text
    assert len(text) < 4000


def test_spike_alert_is_valid_with_huge_fields() -> None:
    theme = summary(
        3, title="S" * HUGE, quotes=["q" * HUGE] * 3, weekly=[1, 1, 1, 1, 12], spike=True
    )

    text, blocks = spike_alert(theme, 3)

    assert_valid_blocks(blocks)
    assert "12 reports this week" in text
    assert "usually about 1.0" in text
    assert "at least 3 reported it" in json.dumps(blocks)
