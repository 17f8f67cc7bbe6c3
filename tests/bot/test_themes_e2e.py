"""A company's first reports, end to end through Slack with the real model: three plain topics
give three themes, and two reports about the parking garage stay unassigned and invisible."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.app import build_deps, create_app
from bot.db.models import PainPoint
from bot.db.session import SessionFactory
from bot.settings import Settings
from bot.slack.client import make_client
from clustering.embedding import SentenceTransformerEmbedder
from clustering.titles import duplicate_titles, title_problems
from tests.bot.reporting.checks import everything_sent
from tests.clustering.painpoints import EXPENSES, ONBOARDING, PARKING, VPN
from tests.slack_requests import Sender
from tests.slack_stand_in import SlackStandIn

pytestmark = pytest.mark.slow


def test_three_topics_and_two_one_offs_through_slack(
    settings: Settings,
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    real_embedder: SentenceTransformerEmbedder,
) -> None:
    live = settings.model_copy(update={"embed_on_capture": True})
    client = make_client(live)
    deps = build_deps(
        live, client=client, session_factory=session_factory, embedder_factory=lambda: real_embedder
    )
    sender = Sender(create_app(live, client=client, deps=deps))
    reports = [*EXPENSES, *VPN, *ONBOARDING, *PARKING]
    for number, text in enumerate(reports):
        assert sender.command(text, user=f"U{number:04d}").status == 200
    assert deps.settle(120)

    result = deps.themes.recluster()

    assert result.themes == 3
    with session_factory() as session:
        unassigned = session.scalars(
            select(PainPoint.text).where(PainPoint.theme_id.is_(None))
        ).all()
    assert sorted(unassigned) == sorted(PARKING)
    digest = deps.insights.report(period="all")
    assert len(digest.themes) == 3
    titles = [theme.title for theme in digest.themes]
    assert not any(title_problems(title) for title in titles) and not duplicate_titles(titles)

    sender.command("digest all", user="UMANAGER", response_url=stand_in.response_url())
    [answer] = stand_in.wait_for("response_url")
    shown = json.dumps(answer.params).lower()
    for topic in ("expense", "vpn", "access"):
        assert topic in shown
    assert "parking" not in everything_sent(stand_in).lower()
