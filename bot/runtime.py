"""Starting the bot: check settings, migrate, then serve Socket Mode or HTTP."""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
from functools import partial

from bot.app import build_deps, build_worker, create_app
from bot.db import migrate
from bot.db.session import make_engine, make_session_factory
from bot.settings import Settings
from bot.slack.client import make_client
from clustering.embedding import ProcessEmbedder, SentenceTransformerEmbedder

logger = logging.getLogger(__name__)
EXIT_USAGE = 2


def _refuse(message: str) -> int:
    print(f"painpoint: {message}", file=sys.stderr)  # noqa: T201
    return EXIT_USAGE


def startup_problem(settings: Settings, *, socket_mode: bool) -> str | None:
    """The first missing setting that keeps the bot from starting, as one line."""
    if not settings.secret_key:
        return (
            "PAINPOINT_SECRET_KEY is not set; it keys reporter pseudonyms. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if not settings.slack_bot_token:
        return "SLACK_BOT_TOKEN is not set (the xoxb- token from the app's OAuth page)"
    if not socket_mode and not settings.slack_signing_secret:
        return "SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify Slack's requests"
    return None


def _stop_on_sigterm() -> None:
    """Let SIGTERM (systemd, Docker, Kubernetes) end the process like Ctrl-C: cleanly."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(_signum: int, _frame: object) -> None:
        logger.info("painpoint stopping (SIGTERM)")
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def _freeze_startup_objects() -> None:
    """Keep everything loaded at start-up out of the garbage collector's full passes.

    Start-up leaves a few hundred thousand long-lived objects (SQLAlchemy, scikit-learn,
    SciPy, Bolt); a full collection walked them all and held every request thread for about
    100 ms under load. Frozen, they are never scanned again, and full passes only look at
    what requests create.
    """
    gc.collect()
    gc.freeze()


def run(settings: Settings, *, http: bool, port: int, host: str, worker: bool = True) -> int:
    """Serve until interrupted; returns the process exit code."""
    socket_mode = bool(settings.slack_app_token) and not http
    problem = startup_problem(settings, socket_mode=socket_mode)
    if problem:
        return _refuse(problem)
    _stop_on_sigterm()
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    client = make_client(settings)
    # Embeddings are computed in a low-priority child process: the model's work then never
    # competes with request threads for this process's interpreter lock.
    embedder = ProcessEmbedder(partial(SentenceTransformerEmbedder, settings.embedding_model))
    deps = build_deps(
        settings,
        client=client,
        session_factory=make_session_factory(engine),
        embedder_factory=lambda: embedder,
    )
    app = create_app(settings, client=client, deps=deps)
    if deps.embedding_worker is not None:
        # Load the model now, in the background, so the first report is not the one that waits.
        threading.Thread(
            target=embedder.embed, args=(["warm-up"],), name="model-warm-up", daemon=True
        ).start()
    background = None
    if worker:
        # Every process may run one; the lease lets only one of them do the work.
        background = build_worker(
            settings,
            engine=engine,
            session_factory=deps.session_factory,
            themes=lambda: deps.themes,
        ).start()
        if deps.nudges is not None:
            deps.nudges.on_scheduled = lambda _campaign_id: background.poke()
    _freeze_startup_objects()
    try:
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            logger.info("painpoint connecting to Slack in Socket Mode")
            SocketModeHandler(app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]
            return 0
        from bot.server import PainpointWSGI, serve

        serve(
            PainpointWSGI(app, engine, signing_secret=settings.slack_signing_secret or ""),
            host=host,
            port=port,
            threads=settings.http_threads,
        )
        return 0
    finally:
        if background is not None:
            background.stop()
        embedder.close()
