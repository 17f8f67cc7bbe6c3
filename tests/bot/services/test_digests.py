"""DigestPublisher over real HTTP to the Slack stand-in: the weekly digest with its chart, and
spike alerts that update themselves instead of repeating."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import ThemeAlert
from bot.db.session import SessionFactory
from bot.domain.themes import ThemeSummary
from bot.reporting import charts
from bot.slack import digests
from bot.slack.digests import DigestPublisher
from tests.bot.reporting.checks import assert_absent, assert_valid_blocks, everything_sent
from tests.bot.reporting.factories import add_painpoint, seed_theme
from tests.bot.services.digest_parts import CHANNEL, NOW, SPIKE_DAYS, alerts
from tests.slack_stand_in import SlackStandIn

SECRET_TITLE = "Complaint about Bob in payroll"


@pytest.fixture
def charted(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The titles each chart was drawn with (the real chart is still drawn)."""
    seen: list[list[str]] = []

    def spy(themes: Sequence[ThemeSummary], now: datetime, top: int = 6) -> bytes:
        seen.append([t.title for t in themes])
        return charts.themes_over_time_png(themes, now, top)

    monkeypatch.setattr(digests, "themes_over_time_png", spy)
    return seen


def seed_month(session_factory: SessionFactory) -> None:
    seed_theme(session_factory, "Expense approvals wait", reporters=4, now=NOW, days_ago=[1, 3])
    seed_theme(session_factory, "VPN drops every hour", reporters=3, now=NOW, days_ago=[2, 9])
    seed_theme(
        session_factory, SECRET_TITLE, reporters=2, reports_per_reporter=15, now=NOW, days_ago=2
    )


# --- weekly digest -----------------------------------------------------------------------


def test_weekly_digest_posts_the_text_then_the_chart_in_its_thread(
    publisher: DigestPublisher,
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    charted: list[list[str]],
) -> None:
    seed_month(session_factory)

    ts = publisher.post_weekly_digest()

    [post] = stand_in.calls_to("chat.postMessage")
    assert post.params["channel"] == CHANNEL
    blocks = post.params["blocks"]
    assert_valid_blocks(blocks)
    rendered = everything_sent(stand_in)
    assert "Expense approvals wait" in rendered and "VPN drops every hour" in rendered
    assert "1 smaller signals (30 reports)" in rendered
    assert not [b for b in blocks if b["type"] == "actions"], "a channel post has no controls"

    [complete] = stand_in.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == CHANNEL
    assert complete.params["thread_ts"] == ts
    [upload] = stand_in.calls_to("upload")
    assert upload.params["bytes"] > 1000
    methods = [call.method for call in stand_in.calls]
    assert methods.index("chat.postMessage") < methods.index("files.getUploadURLExternal")
    assert charted == [["Expense approvals wait", "VPN drops every hour"]]
    assert_absent(rendered, [SECRET_TITLE, "Bob"])


@pytest.mark.parametrize("method", ["files.getUploadURLExternal", "files.completeUploadExternal"])
def test_a_failed_chart_upload_still_delivers_the_text_and_is_logged(
    publisher: DigestPublisher,
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    caplog: pytest.LogCaptureFixture,
    method: str,
) -> None:
    seed_month(session_factory)
    stand_in.fail(method, "internal_error")

    with caplog.at_level(logging.WARNING, logger="bot.slack.digests"):
        ts = publisher.post_weekly_digest()

    [post] = stand_in.calls_to("chat.postMessage")
    assert post.params["channel"] == CHANNEL
    assert "Expense approvals wait" in everything_sent(stand_in)
    assert ts
    assert "digest chart upload failed: internal_error" in caplog.text


def test_a_failed_upload_with_an_http_error_still_delivers_the_text(
    publisher: DigestPublisher,
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed_month(session_factory)
    stand_in.fail("files.getUploadURLExternal", "fatal_error", status=500)

    with caplog.at_level(logging.WARNING, logger="bot.slack.digests"):
        publisher.post_weekly_digest()

    assert len(stand_in.calls_to("chat.postMessage")) == 1
    assert "digest chart upload failed" in caplog.text


def test_weekly_digest_with_too_few_reporters_says_so_and_sends_no_chart(
    publisher: DigestPublisher,
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    charted: list[list[str]],
) -> None:
    seed_theme(session_factory, SECRET_TITLE, reporters=2, reports_per_reporter=9, now=NOW)

    publisher.post_weekly_digest()

    [post] = stand_in.calls_to("chat.postMessage")
    assert "too few people reported" in post.params["text"]
    assert stand_in.calls_to("files.getUploadURLExternal") == []
    assert charted == []
    assert re.findall(r"\d+", post.params["text"]) == ["30"], "no numbers from the data"
    assert_absent(everything_sent(stand_in), [SECRET_TITLE, "Bob"])


def test_weekly_digest_with_only_smaller_signals_names_none_of_them(
    publisher: DigestPublisher,
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    charted: list[list[str]],
) -> None:
    seed_theme(session_factory, SECRET_TITLE, reporters=2, now=NOW)
    seed_theme(session_factory, "Second small thing", reporters=2, now=NOW)

    publisher.post_weekly_digest()

    rendered = everything_sent(stand_in)
    assert "2 smaller signals" in rendered
    assert "nothing has been reported by 3 or more people" in rendered
    assert stand_in.calls_to("files.getUploadURLExternal") == []
    assert_absent(rendered, [SECRET_TITLE, "Second small thing"])


def test_weekly_digest_with_no_data_says_so_plainly(
    publisher: DigestPublisher, stand_in: SlackStandIn
) -> None:
    publisher.post_weekly_digest()

    [post] = stand_in.calls_to("chat.postMessage")
    assert "No pain points have been reported" in str(post.params["blocks"])
    assert stand_in.calls_to("files.getUploadURLExternal") == []


# --- spike alerts ------------------------------------------------------------------------


def seed_spikes(session_factory: SessionFactory) -> int:
    spiking = seed_theme(
        session_factory, "Payroll portal down", reporters=14, days_ago=SPIKE_DAYS, now=NOW
    )
    seed_theme(
        session_factory,
        "Steady printer trouble",
        reporters=6,
        days_ago=[1, 8, 15, 22, 29, 36],
        now=NOW,
    )
    # Spikes just as hard, but from two people only.
    seed_theme(
        session_factory, SECRET_TITLE, reporters=["a", "b"] * 7, days_ago=SPIKE_DAYS, now=NOW
    )
    return spiking.theme_id


def test_a_spiking_theme_gets_one_alert(
    publisher: DigestPublisher, session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    theme_id = seed_spikes(session_factory)

    result = publisher.post_spike_alerts()

    assert (result.posted, result.updated) == ([theme_id], [])
    [post] = stand_in.calls_to("chat.postMessage")
    assert post.params["channel"] == CHANNEL
    assert_valid_blocks(post.params["blocks"])
    assert "Payroll portal down" in post.params["text"]
    assert "10 reports this week" in post.params["text"]
    [alert] = alerts(session_factory)
    assert (alert.theme_id, alert.channel, alert.reports_this_week) == (theme_id, CHANNEL, 10)
    assert alert.ts
    assert_absent(everything_sent(stand_in), [SECRET_TITLE, "Bob", "Steady printer"])


def test_the_same_spike_again_updates_the_alert_instead_of_posting(
    publisher: DigestPublisher, session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    theme_id = seed_spikes(session_factory)
    publisher.post_spike_alerts()
    [first] = stand_in.calls_to("chat.postMessage")
    [alert] = alerts(session_factory)
    add_painpoint(
        session_factory,
        text="Payroll portal down again",
        reporter="late-reporter",
        theme_id=theme_id,
        created_at=NOW - timedelta(hours=2),
    )

    result = publisher.post_spike_alerts()

    assert (result.posted, result.updated) == ([], [theme_id])
    assert len(stand_in.calls_to("chat.postMessage")) == 1, "no second alert"
    [update] = stand_in.calls_to("chat.update")
    assert update.params["channel"] == first.params["channel"] == CHANNEL
    assert update.params["ts"] == alert.ts
    assert "11 reports this week" in update.params["text"]
    assert_valid_blocks(update.params["blocks"])
    [alert] = alerts(session_factory)
    assert alert.reports_this_week == 11
    assert_absent(everything_sent(stand_in), [SECRET_TITLE])


def test_an_unchanged_spike_sends_nothing_more(
    publisher: DigestPublisher, session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    theme_id = seed_spikes(session_factory)
    publisher.post_spike_alerts()
    calls_after_first = len(stand_in.calls)

    result = publisher.post_spike_alerts()

    assert (result.posted, result.updated) == ([], [theme_id])
    assert len(stand_in.calls) == calls_after_first


def test_a_spike_long_after_the_last_alert_is_a_new_alert(
    publisher: DigestPublisher, session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    theme_id = seed_spikes(session_factory)
    publisher.post_spike_alerts()
    with session_factory() as session, session.begin():
        alert = session.scalars(select(ThemeAlert)).one()
        alert.posted_at = NOW - timedelta(days=15)

    result = publisher.post_spike_alerts()

    assert result.posted == [theme_id]
    assert len(stand_in.calls_to("chat.postMessage")) == 2
    assert stand_in.calls_to("chat.update") == []
    assert len(alerts(session_factory)) == 1


def test_no_spike_no_alert(
    publisher: DigestPublisher, session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    seed_theme(session_factory, "Steady", reporters=6, days_ago=[1, 8, 15, 22, 29, 36], now=NOW)
    seed_theme(
        session_factory, SECRET_TITLE, reporters=["a", "b"] * 7, days_ago=SPIKE_DAYS, now=NOW
    )

    result = publisher.post_spike_alerts()

    assert (result.posted, result.updated) == ([], [])
    assert stand_in.calls == []


def test_a_deleted_alert_is_posted_again_and_other_alerts_still_go_out(
    publisher: DigestPublisher, session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    theme_id = seed_spikes(session_factory)
    publisher.post_spike_alerts()
    add_painpoint(
        session_factory,
        text="Payroll portal down again",
        reporter="late-reporter",
        theme_id=theme_id,
        created_at=NOW - timedelta(hours=2),
    )
    stand_in.fail("chat.update", "message_not_found")  # someone deleted the alert

    result = publisher.post_spike_alerts()

    assert result.posted == [theme_id]
    [_, again] = stand_in.calls_to("chat.postMessage")
    assert "11 reports this week" in again.params["text"]
    [alert] = alerts(session_factory)
    assert alert.ts == stand_in.history[CHANNEL][-1]["ts"]


def test_a_transient_update_failure_is_retried_later_never_duplicated(
    publisher: DigestPublisher, session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    theme_id = seed_spikes(session_factory)
    publisher.post_spike_alerts()
    add_painpoint(
        session_factory,
        text="Payroll portal down again",
        reporter="late-reporter",
        theme_id=theme_id,
        created_at=NOW - timedelta(hours=2),
    )
    stand_in.fail("chat.update", "internal_error")

    first = publisher.post_spike_alerts()
    second = publisher.post_spike_alerts()

    assert first.updated == second.updated == [theme_id]
    assert len(stand_in.calls_to("chat.postMessage")) == 1
    assert len(stand_in.calls_to("chat.update")) == 2, "retried at the next run"
    [alert] = alerts(session_factory)
    assert alert.reports_this_week == 11
