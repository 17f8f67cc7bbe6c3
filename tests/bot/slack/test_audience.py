"""Consent as worded is consent as done: "Keep me posted — you may message me about this theme:
its status, a pilot, a lesson". A reporter who did not tick it is never in a `theme:N`
audience; one who unticks it leaves; the texts say the Slack id is kept only then."""

from __future__ import annotations

import json

from sqlalchemy import update

from bot.blocks import capture as blocks
from bot.blocks import ids
from bot.blocks import nudge as nudge_blocks
from bot.blocks import trainer as trainer_blocks
from bot.db.models import PainPoint, Theme
from bot.domain.capture import PainPointInput
from bot.services.capture import CaptureService
from bot.slack.audience import AudienceResolver
from bot.slack.client import make_client
from tests.bot.nudge_parts import Parts
from tests.conftest import SECRET_KEY
from tests.stored import painpoints

TICKED, UNTICKED, BOTH = "U001", "U002", "U003"


def resolver(parts: Parts) -> AudienceResolver:
    """The resolver campaigns expand audiences with (themes need no Slack call)."""
    return AudienceResolver(
        parts.session_factory,
        make_client(parts.settings),
        parts.gate,
        min_reporters=parts.settings.min_reporters,
    )


def seed(parts: Parts) -> tuple[CaptureService, int]:
    """Three reporters in one theme: one ticked the box, one did not, one did on one report
    and not on another."""
    capture = CaptureService(parts.session_factory, secret_key=SECRET_KEY)
    reports = [
        (TICKED, "Invoices typed by hand", True),
        (UNTICKED, "Invoices copied from the CRM", False),
        (BOTH, "Invoices again and again", False),
        (BOTH, "Billing by hand every Friday", True),
    ]
    for user, text, keep in reports:
        capture.record(
            team_id="T1",
            user_id=user,
            submission=PainPointInput(text=text, source="modal", keep_posted=keep),
        )
    painpoints(parts.session_factory)  # the privacy step has run
    with parts.session_factory() as session, session.begin():
        theme = Theme(title="Invoices by hand", reporters=3, size=4)
        session.add(theme)
        session.flush()
        session.execute(update(PainPoint).values(theme_id=theme.id))
        return capture, theme.id


def test_only_reporters_who_ticked_the_box_are_in_a_theme_audience(parts: Parts) -> None:
    _, theme_id = seed(parts)

    expansion = resolver(parts).expand([f"theme:{theme_id}"])

    assert sorted(expansion.users) == [TICKED, BOTH]


def test_a_theme_campaign_reaches_nobody_who_did_not_tick_the_box(parts: Parts) -> None:
    _, theme_id = seed(parts)

    campaign = parts.schedule([f"theme:{theme_id}"])
    parts.runner.fire(campaign)
    parts.drain()

    assert sorted(d.recipient for d in parts.deliveries()) == [TICKED, BOTH]


def test_unticking_the_box_takes_a_reporter_out_of_the_audience(parts: Parts) -> None:
    capture, theme_id = seed(parts)
    (mine,) = capture.list_mine(team_id="T1", user_id=TICKED)

    capture.amend(
        team_id="T1",
        user_id=TICKED,
        painpoint_id=mine.id,
        submission=PainPointInput(text=mine.text, source="modal", keep_posted=False),
    )
    painpoints(parts.session_factory)  # the privacy step has run on the edit

    assert resolver(parts).expand([f"theme:{theme_id}"]).users == [BOTH]
    with parts.session_factory() as session:
        row = session.get(PainPoint, mine.id)
        assert row is not None and row.notify_user_id is None


def test_the_form_asks_for_exactly_that_consent() -> None:
    view = blocks.report_modal()
    by_id = {block.get("block_id"): block for block in view["blocks"]}
    [option] = by_id[ids.REPORT_KEEP_POSTED]["element"]["options"]
    assert option["text"]["text"] == "Keep me posted"
    assert option["description"]["text"] == (
        "You may message me about this theme — its status, a pilot, a lesson"
    )
    rendered = json.dumps(view)
    assert "keeps your Slack id with this report, only for those messages" in rendered


def test_receipts_mention_the_slack_id_only_when_it_is_kept(parts: Parts) -> None:
    capture, _ = seed(parts)
    ticked = capture.list_mine(team_id="T1", user_id=TICKED)[0]
    unticked = capture.list_mine(team_id="T1", user_id=UNTICKED)[0]

    for build in (blocks.receipt, blocks.dm_receipt):
        with_id = json.dumps(build(ticked)[1])
        without = json.dumps(build(unticked)[1])
        assert "your Slack id is kept with this report" in with_id
        assert "its status, a pilot, a lesson" in with_id
        assert "Slack id" not in without
        for text in (with_id, without):
            # The old promise was untrue once the box was ticked.
            assert "name is not stored" not in text
            assert "instead of your name" in text and "at least 3 people" in text


def test_a_signed_concern_shows_its_authors_name_and_no_other_does(parts: Parts) -> None:
    concerns = parts.service.concerns
    concerns.record(team_id="T1", user_id=TICKED, text="Who reads what we paste?",
                    topic="data_privacy", share_name=True)  # fmt: skip
    concerns.record(team_id="T1", user_id=UNTICKED, text="Will this replace me?",
                    topic="job_security")  # fmt: skip

    report = concerns.report()
    _, rendered = trainer_blocks.concern_report(report)

    assert [(c.user_id, c.text) for c in report.signed] == [(TICKED, "Who reads what we paste?")]
    assert f"<@{TICKED}>" in json.dumps(rendered)
    assert UNTICKED not in json.dumps(rendered)
    form = json.dumps(nudge_blocks.concern_modal(delivery_id=1, lesson_title=None))
    assert "trainers see your name next to it" in form


def test_a_theme_below_the_minimum_reaches_nobody(parts: Parts) -> None:
    # Campaign and pilot messages name the theme: once it has fallen below the
    # minimum-reporter rule (here: one of three people deleted their reports), its opted-in
    # reporters are no longer an audience.
    capture, theme_id = seed(parts)
    for mine in capture.list_mine(team_id="T1", user_id=UNTICKED):
        assert capture.delete(team_id="T1", user_id=UNTICKED, painpoint_id=mine.id)

    expansion = resolver(parts).expand([f"theme:{theme_id}"])

    assert expansion.users == []
