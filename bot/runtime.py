"""Starting the bot: check settings, the model and the Slack token, migrate, then serve."""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
import time
from functools import partial
from pathlib import Path

from slack_bolt import App
from sqlalchemy import Engine

from bot.app import build_deps, build_worker, create_app
from bot.db import migrate
from bot.db.session import make_engine, make_session_factory
from bot.deps import Deps
from bot.domain.pii_patterns import parse_pii_patterns
from bot.jobs.health import HealthFile
from bot.privacy.process import ProcessScrubber
from bot.services.privacy import PrivacyStep
from bot.settings import Settings
from bot.slack.client import make_client
from clustering.child import ChildStopped
from clustering.embedding import DEFAULT_MODEL, ProcessEmbedder, SentenceTransformerEmbedder

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
    return model_problem(settings.embedding_model)


def model_problem(model: str) -> str | None:
    """Why the embedding model cannot load, as one line (None when it can).

    Nothing is downloaded at run time, so anything but the packaged model must be a folder.
    """
    if model in {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}:
        return None
    if (Path(model).expanduser() / "config.json").is_file() or Path(model).expanduser().is_dir():
        return None
    return (
        f"PAINPOINT_EMBEDDING_MODEL={model}: no model folder there; unset it to use the "
        f"packaged {DEFAULT_MODEL}, or give the path of a sentence-transformers model folder"
    )


def check_slack_token(settings: Settings, *, socket_mode: bool = False) -> None:
    """Ask Slack who we are (and, for Socket Mode, for a connection) before touching the
    database: a wrong token fails here, clearly.

    Raises slack_sdk's SlackApiError (refused) or URLError (unreachable); the command line
    turns both into one line.
    """
    client = make_client(settings)
    client.auth_test()
    if socket_mode and settings.slack_app_token:
        client.apps_connections_open(app_token=settings.slack_app_token)


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


def _sweep_quietly(privacy: PrivacyStep) -> None:
    """The start-up sweep; stopping the process meanwhile ends it without a traceback."""
    try:
        privacy.sweep()
    except ChildStopped:
        logger.info("privacy sweep stopped: the process is stopping")


class Children:
    """The low-priority child processes of `painpoint run`: embeddings and the full scrub.

    The model's work never competes with request threads for this process's interpreter
    lock. Both children load their models before the bot answers Slack (seconds, once): a
    child still importing its libraries would compete with the first requests for the CPU,
    and the first report would wait for it.
    """

    def __init__(self, settings: Settings) -> None:
        model = settings.embedding_model
        self.embedder = ProcessEmbedder(partial(SentenceTransformerEmbedder, model))
        self.scrubber = ProcessScrubber(parse_pii_patterns(settings.pii_patterns))

    def start(self, deps: Deps) -> None:
        """Load the models (both at once), then finish the full scrub of anything a crash
        left sealed, in the background."""
        started = time.monotonic()
        warming = []
        if deps.embedding_worker is not None:
            warming.append(
                threading.Thread(
                    target=self.embedder.embed, args=(["warm-up"],), name="model-warm-up"
                )
            )
        warming.append(
            threading.Thread(
                target=self.scrubber.full_many, args=(["warm-up"],), name="pii-warm-up"
            )
        )
        for thread in warming:
            thread.start()
        for thread in warming:
            thread.join()
        logger.info("models loaded in %.1f s", time.monotonic() - started)
        threading.Thread(
            target=_sweep_quietly, args=(deps.privacy,), name="privacy-sweep", daemon=True
        ).start()

    def close(self) -> None:
        """Stop both children for good: background work still running gets ChildStopped
        (logged as expected at shutdown) instead of starting a new child."""
        self.embedder.close(final=True)
        self.scrubber.close(final=True)


def run(
    settings: Settings,
    *,
    http: bool,
    port: int,
    host: str,
    worker: bool = True,
    health_file: str | None = None,
) -> int:
    """Serve until interrupted; returns the process exit code."""
    socket_mode = bool(settings.slack_app_token) and not http
    problem = startup_problem(settings, socket_mode=socket_mode)
    if problem:
        return _refuse(problem)
    check_slack_token(settings, socket_mode=socket_mode)
    _stop_on_sigterm()
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    client = make_client(settings)
    children = Children(settings)
    deps = build_deps(
        settings,
        client=client,
        session_factory=make_session_factory(engine),
        embedder_factory=lambda: children.embedder,
        full_scrub=children.scrubber.full_many,
    )
    app = create_app(settings, client=client, deps=deps)
    children.start(deps)
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
    health = HealthFile(health_file, lease=background.lease if background else None).start()
    _freeze_startup_objects()
    try:
        return _serve(app, engine, settings, socket_mode=socket_mode, host=host, port=port)
    finally:
        health.stop()
        if background is not None:
            background.stop()
        # Let the full scrub in flight finish before its child process stops (briefly: what
        # is left sealed is swept at the next start, missing vectors at the next clustering).
        deps.settle(timeout=3, embeddings=False)
        deps.stop_background()
        children.close()
        engine.dispose()


def _serve(
    app: App, engine: Engine, settings: Settings, *, socket_mode: bool, host: str, port: int
) -> int:
    """Serve Slack until interrupted: Socket Mode, or HTTP through waitress."""
    if socket_mode:
        from bot.socket_mode import serve_socket_mode

        logger.info("painpoint connecting to Slack in Socket Mode")
        serve_socket_mode(app, settings.slack_app_token or "")
        return 0
    from bot.server import PainpointWSGI, serve

    serve(
        PainpointWSGI(app, engine, signing_secret=settings.slack_signing_secret or ""),
        host=host,
        port=port,
        threads=settings.http_threads,
    )
    return 0


def run_worker(settings: Settings, *, health_file: str | None = None) -> int:
    """`painpoint worker`: scheduled work without serving Slack, until SIGTERM/SIGINT."""
    if not settings.slack_bot_token:
        return _refuse("SLACK_BOT_TOKEN is not set (the xoxb- token from the app's OAuth page)")
    problem = model_problem(settings.embedding_model)
    if problem:
        return _refuse(problem)
    check_slack_token(settings)
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    worker = build_worker(settings, engine=engine, session_factory=make_session_factory(engine))
    health = HealthFile(health_file, lease=worker.lease).start()
    try:
        return worker.run_forever()
    finally:
        health.stop()
        engine.dispose()
