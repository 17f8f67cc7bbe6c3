"""Shared fixtures: real databases (SQLite, and PostgreSQL when configured), the Slack stand-in,
and an app wired to both."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine, text

from bot.app import build_deps, create_app
from bot.db import migrate
from bot.db.base import Base
from bot.db.session import SessionFactory, make_engine, make_session_factory
from bot.deps import Deps
from bot.settings import Settings, load_settings
from bot.slack.client import make_client
from clustering.embedding import SentenceTransformerEmbedder
from tests.slack_requests import SIGNING_SECRET, Sender, drain
from tests.slack_stand_in import SlackStandIn

POSTGRES_URL = os.environ.get("PAINPOINT_TEST_DATABASE_URL")
SECRET_KEY = "test-secret-key-not-for-production"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    """The PostgreSQL test database migrated to head once per run."""
    if not POSTGRES_URL:
        pytest.skip(
            "PostgreSQL tests need PAINPOINT_TEST_DATABASE_URL (e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(POSTGRES_URL)
    return POSTGRES_URL


def _truncate(engine: Engine) -> None:
    names = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: SQLite always, PostgreSQL when configured."""
    if request.param == "sqlite":
        path = tmp_path / "painpoint.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_migrated")
    engine = make_engine(url)
    _truncate(engine)
    engine.dispose()
    yield url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty SQLite database only (for tests that need no PostgreSQL twin)."""
    path = tmp_path / "painpoint.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> SessionFactory:
    return make_session_factory(engine)


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    server = SlackStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def settings(
    database_url: str, stand_in: SlackStandIn, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings as an operator would give them, pointing at the stand-in and test database."""
    for key in list(os.environ):
        if key.startswith(("SLACK_", "PAINPOINT_")) or key == "DATABASE_URL":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(Path(__file__).parent)  # no stray .env is read
    return load_settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=stand_in.base_url,
        DATABASE_URL=database_url,
        PAINPOINT_SECRET_KEY=SECRET_KEY,
        PAINPOINT_MANAGERS="UMANAGER,SMANAGERS",
        PAINPOINT_TRAINERS="UTRAINER",
        # Scenario tests don't load the model in the background; tests/bot/test_embedding_e2e does.
        PAINPOINT_EMBED_ON_CAPTURE="false",
    )


AppMaker = Callable[..., App]


@pytest.fixture
def make_app(session_factory: SessionFactory) -> Iterator[AppMaker]:
    """Build apps (`make_app(settings)`, or with the `client=` and `deps=` a test wired
    itself) that are stopped after the test, before its database goes."""
    built: list[tuple[App, Deps]] = []

    def make(
        settings: Settings, *, client: WebClient | None = None, deps: Deps | None = None
    ) -> App:
        client = client or make_client(settings)
        deps = deps or build_deps(settings, client=client, session_factory=session_factory)
        app = create_app(settings, client=client, deps=deps)
        built.append((app, deps))
        return app

    yield make
    # A worker that ran after the engine was disposed opened a connection nothing closed,
    # one per test, until PostgreSQL refused new clients: let listeners and the
    # after-the-ack workers finish first.
    for app, deps in built:
        drain(app)
        deps.settle(30)
        deps.stop_background()


@pytest.fixture
def app(settings: Settings, make_app: AppMaker) -> App:
    return make_app(settings)


@pytest.fixture
def sender(app: App) -> Sender:
    return Sender(app)


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The packaged MiniLM model, loaded once per test run (every test that needs it)."""
    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])
    return embedder
