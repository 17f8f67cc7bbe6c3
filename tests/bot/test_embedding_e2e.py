"""With the real model: a new report is embedded after the ack and joins its nearest theme."""

from __future__ import annotations

import csv
from importlib import resources

import pytest
from sqlalchemy import select

from bot.app import build_deps, create_app
from bot.db.models import PainPoint, Theme
from bot.db.session import SessionFactory
from bot.deps import Deps
from bot.services.background import BatchWorker
from bot.settings import Settings
from bot.slack.client import make_client
from tests.slack_requests import Sender, response_json

pytestmark = pytest.mark.slow


@pytest.fixture
def live(settings: Settings, session_factory: SessionFactory) -> tuple[Deps, Sender]:
    """An app that embeds after the ack, as `painpoint run` does."""
    live_settings = settings.model_copy(update={"embed_on_capture": True})
    client = make_client(live_settings)
    deps = build_deps(live_settings, client=client, session_factory=session_factory)
    return deps, Sender(create_app(live_settings, client=client, deps=deps))


def _sample_texts(limit: int) -> list[str]:
    source = resources.files("bot.demo").joinpath("sample_painpoints.csv")
    with source.open("r", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)][:limit]


def test_new_report_is_embedded_after_the_ack_and_joins_its_theme(
    live: tuple[Deps, Sender], session_factory: SessionFactory
) -> None:
    deps, sender = live
    worker = deps.embedding_worker
    assert isinstance(worker, BatchWorker)
    for number, text in enumerate(_sample_texts(500)):
        sender.command(text, user=f"USEED{number:03d}")
    assert deps.settle(180)
    with session_factory() as session:
        missing = session.scalars(select(PainPoint.id).where(PainPoint.embedding.is_(None))).all()
    assert missing == []

    result = deps.themes.recluster()
    assert result.enough_data
    assert result.themes >= 5

    body = response_json(
        sender.command("Since the new VPN client rollout my laptop disconnects every few minutes")
    )
    number = _number(body)
    assert deps.settle(60)
    with session_factory() as session:
        row = session.get(PainPoint, number)
        assert row is not None and row.embedding_model == "all-MiniLM-L6-v2"
        assert row.theme_id is not None
        theme = session.get(Theme, row.theme_id)
        assert theme is not None
        assert "vpn" in " ".join(theme.keywords).lower()

    reply = response_json(sender.command("n/a", user="UNONANSWER"))
    assert deps.settle(60)
    with session_factory() as session:
        non_answer = session.get(PainPoint, _number(reply))
        assert non_answer is not None and non_answer.embedding_model == "all-MiniLM-L6-v2"
        assert non_answer.theme_id is None


def _number(reply: dict[str, object]) -> int:
    return int(str(reply["text"]).split("#")[1].split(".")[0])
