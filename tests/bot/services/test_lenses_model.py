"""With the real model: clear reports get the lens anyone would give them, offline."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import build_deps, create_app
from bot.db.models import PainPoint
from bot.db.session import SessionFactory, make_engine, make_session_factory
from bot.services.embeddings import EmbeddingService
from bot.services.lenses import LensSuggester
from bot.settings import Settings
from bot.slack.client import make_client
from clustering.embedding import SentenceTransformerEmbedder
from tests.bot.reporting.factories import add_painpoint
from tests.slack_requests import Sender

pytestmark = pytest.mark.slow

CLEAR = {
    "Nothing moves until my manager signs off, and approvals take a week.": "workflow_bottleneck",
    "My request waits in the approval queue of another team for days.": "workflow_bottleneck",
    "Every day I copy the same numbers from one spreadsheet into another by hand.": "repetitive_task",
    "I retype every invoice into the accounting system manually.": "repetitive_task",
    "Nobody knows where the latest price list is, and the reports disagree.": "data_gap",
    "The data in the CRM is out of date and often wrong.": "data_gap",
    "Customers wait days for a reply from our support team and complain.": "customer_facing",
    "Clients keep chasing us because their refunds take a month.": "customer_facing",
    "My laptop keeps crashing and the VPN disconnects every hour.": "employee_challenge",
    "I never got any training on the new software and feel overwhelmed.": "employee_challenge",
}


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    # The loaded model is cached per process (clustering.embedding._load_model), so this
    # shares it with every other test that uses the packaged model.
    return SentenceTransformerEmbedder()


def test_clear_cases_get_the_obvious_lens(embedder: SentenceTransformerEmbedder) -> None:
    suggester = LensSuggester(None, lambda: embedder, model_name=embedder.model_name)  # type: ignore[arg-type]
    assert suggester.suggest_texts(list(CLEAR)) == list(CLEAR.values())


def test_stored_reports_are_suggested_from_their_embedding(
    sqlite_url: str, embedder: SentenceTransformerEmbedder
) -> None:
    engine = make_engine(sqlite_url)
    session_factory = make_session_factory(engine)
    ids = {
        add_painpoint(session_factory, text=text, reporter=f"r{n}"): lens
        for n, (text, lens) in enumerate(CLEAR.items())
    }
    EmbeddingService(
        session_factory, lambda: embedder, model_name=embedder.model_name
    ).embed_pending()

    LensSuggester(session_factory, lambda: embedder, model_name=embedder.model_name).fill()

    with session_factory() as session:
        found = dict(session.execute(select(PainPoint.id, PainPoint.lens)).all())
        sources = set(session.scalars(select(PainPoint.lens_source)))
    engine.dispose()
    assert found == ids
    assert sources == {"suggested"}


def test_a_report_sent_in_slack_gets_a_suggested_lens_after_the_ack(
    settings: Settings, session_factory: SessionFactory
) -> None:
    live = settings.model_copy(update={"embed_on_capture": True})
    client = make_client(live)
    deps = build_deps(live, client=client, session_factory=session_factory)
    sender = Sender(create_app(live, client=client, deps=deps))

    sender.command("Customers wait days for a reply from our support team and complain.")
    for worker in deps.privacy_workers:
        assert worker.wait_idle(60)
    assert deps.embedding_worker is not None and deps.embedding_worker.wait_idle(120)

    with session_factory() as session:
        [row] = session.scalars(select(PainPoint)).all()
        assert (row.category, row.lens, row.lens_source) == (None, "customer_facing", "suggested")
