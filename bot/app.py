"""Build the Bolt app from settings and injected parts; nothing else reads the environment."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.blocks.nudge import slack_problems
from bot.db.session import SessionFactory, make_engine, make_session_factory
from bot.deps import Deps
from bot.domain.capture import CaptureLimits
from bot.domain.lessons import Library, load_library
from bot.domain.pii_patterns import parse_pii_patterns
from bot.domain.wording import DEFAULT_WORDING, Wording
from bot.jobs.worker import Worker
from bot.listeners import register_listeners
from bot.listeners.signature import SignedRequestsOnly
from bot.privacy.scrub import Scrubber
from bot.services.audit_log import ReadAuditLog
from bot.services.background import Activity, BatchWorker
from bot.services.capture import CaptureService
from bot.services.claims import RequestClaims
from bot.services.concerns import ConcernService
from bot.services.embeddings import EmbeddingService
from bot.services.erasure import ErasureService
from bot.services.followups import FollowupService
from bot.services.insights import ThemeInsights
from bot.services.lenses import LensSuggester
from bot.services.nudges import NudgeService
from bot.services.pilots import PilotService
from bot.services.privacy import FullScrub, PrivacyStep
from bot.services.pulses import PulseService
from bot.services.suggestions import LessonSuggester
from bot.services.theme_corrections import ThemeCorrections
from bot.services.theme_status import ThemeStatusService
from bot.services.themes import ThemeService
from bot.settings import Settings, read_wording
from bot.slack.client import make_client
from bot.slack.gate import SlackGate
from bot.slack.notifications import ReporterNotifier
from bot.slack.roles import RoleDirectory
from clustering.embedding import Embedder, SentenceTransformerEmbedder

logger = logging.getLogger(__name__)
# The longest a user-group lookup for a role check may take (it runs before some answers).
ROLE_LOOKUP_SECONDS = 2


def build_wording(settings: Settings) -> Wording:
    """The employee-facing wording (PAINPOINT_WORDING, else the defaults) and the privacy
    rules it states."""
    wording = read_wording(settings.wording) if settings.wording else DEFAULT_WORDING
    return wording.with_facts(
        min_reporters=settings.min_reporters, retention_days=settings.retention_days
    )


def build_scrubber(settings: Settings) -> Scrubber:
    """The scrubber with the company's own id patterns (PAINPOINT_PII_PATTERNS)."""
    return Scrubber(parse_pii_patterns(settings.pii_patterns))


def in_process_full_scrub(scrubber: Scrubber) -> FullScrub:
    """The full scrub run in this process (tests, the CLI); `painpoint run` uses a child."""
    return lambda texts: [scrubber.full(text) for text in texts]


def build_nudge_service(
    settings: Settings, session_factory: SessionFactory, scrubber: Scrubber | None = None
) -> NudgeService:
    """Nudge campaigns, feedback and concerns over the lesson library in settings."""
    assert settings.secret_key is not None
    library = load_lessons(settings)
    for problem in library.problems:
        logging.getLogger("painpoint.nudges").error("lesson library: %s", problem)
    concerns = ConcernService(
        session_factory,
        secret_key=settings.secret_key,
        min_reporters=settings.min_reporters,
        max_length=settings.max_text_length,
        scrubber=scrubber,
    )
    return NudgeService(
        session_factory, library, concerns=concerns, min_reporters=settings.min_reporters
    )


def load_lessons(settings: Settings) -> Library:
    """The lesson library, leaving out any lesson Slack would refuse as a message."""
    return load_library(settings.lessons_dir, check=slack_problems)


def build_theme_service(
    settings: Settings,
    session_factory: SessionFactory,
    *,
    kind: str = "painpoint",
    embedder_factory: Callable[[], Embedder] | None = None,
) -> ThemeService:
    """The theme engine over stored reports, with the configured embedding model."""
    from clustering.embedding import resolve_model
    from clustering.pipeline import ThemePipeline

    model_name, _ = resolve_model(settings.embedding_model)
    embeddings = EmbeddingService(
        session_factory,
        embedder_factory or in_process_embedder(settings),
        model_name=model_name,
    )
    # The engine's titles and keywords follow the same minimum-reporter rule as every surface.
    pipeline = partial(ThemePipeline, min_reporters=settings.min_reporters)
    return ThemeService(session_factory, embeddings, pipeline, kind=kind)


def in_process_embedder(settings: Settings) -> Callable[[], Embedder]:
    """A factory for the configured model, loaded in this process."""
    return lambda: SentenceTransformerEmbedder(settings.embedding_model)


def build_deps(
    settings: Settings,
    *,
    client: WebClient,
    session_factory: SessionFactory | None = None,
    embedder_factory: Callable[[], Embedder] | None = None,
    full_scrub: FullScrub | None = None,
) -> Deps:
    # Long: the composition root names every shared part once, in the one Deps(...) call.
    """Create the services every listener shares.

    `embedder_factory` and `full_scrub` default to work in this process; `painpoint run`
    passes ones that run in low-priority child processes, away from the request threads.
    """
    embedder_factory = embedder_factory or in_process_embedder(settings)
    if settings.secret_key is None:
        raise ValueError("PAINPOINT_SECRET_KEY is required")
    if session_factory is None:
        session_factory = make_session_factory(make_engine(settings.database_url))
    scrubber = build_scrubber(settings)
    # The fast stage runs on Slack's acknowledgement path: load it now (seconds, once per
    # process), never on the first report.
    scrubber.warm_up(ner=False)
    capture = build_capture_service(settings, session_factory, scrubber)
    themes = build_theme_service(settings, session_factory, embedder_factory=embedder_factory)
    lenses = LensSuggester(
        session_factory, embedder_factory, model_name=themes.embeddings.model_name
    )
    after = AfterAnswer.build(
        settings,
        session_factory,
        assign=lenses.after(themes.assign_new),
        full_scrub=full_scrub or in_process_full_scrub(scrubber),
    )
    capture.on_recorded = after.scrubbing.submit
    roles = RoleDirectory(
        # Forms are answered with the check's verdict, inside Slack's 3 s: a lookup that is
        # rate limited fails at once (closed, or on the last known members), a slow one soon.
        WebClient(
            token=client.token,
            base_url=client.base_url,
            timeout=ROLE_LOOKUP_SECONDS,
            retry_handlers=[],
        ),
        managers=settings.managers,
        trainers=settings.trainers,
        cache_seconds=settings.role_cache_seconds,
    )
    nudges = build_nudge_service(settings, session_factory, scrubber)
    nudges.concerns.on_recorded = after.scrubbing_concerns.submit
    suggester = LessonSuggester(session_factory, nudges.library, embedder_factory)
    return Deps(
        settings=settings,
        session_factory=session_factory,
        capture=capture,
        roles=roles,
        notifier=ReporterNotifier(
            make_client(settings, gated=True), SlackGate(settings.nudge_rate)
        ),
        insights=ThemeInsights(
            session_factory,
            min_reporters=settings.min_reporters,
            teams=settings.teams,
            lesson_matches=suggester.for_themes,
        ),
        theme_status=ThemeStatusService(session_factory),
        corrections=ThemeCorrections(
            session_factory,
            min_reporters=settings.min_reporters,
            embedding_model=themes.embeddings.model_name,
        ),
        themes=themes,
        embedding_worker=after.embedding,
        privacy=after.privacy,
        privacy_workers=(after.scrubbing, after.scrubbing_concerns),
        activity=after.activity,
        claims=RequestClaims(session_factory),
        nudges=nudges,
        suggester=suggester,
        pilots=PilotService(session_factory, min_reporters=settings.min_reporters),
        pulses=PulseService(
            session_factory,
            secret_key=settings.secret_key,
            min_reporters=settings.min_reporters,
        ),
        followups=FollowupService(session_factory, pseudonym=capture.pseudonym),
        lenses=lenses,
        wording=build_wording(settings),
        audit_log=ReadAuditLog(session_factory),
        erasure=ErasureService(session_factory, secret_key=settings.secret_key),
    )


def build_capture_service(
    settings: Settings, session_factory: SessionFactory, scrubber: Scrubber
) -> CaptureService:
    """Capture with the configured limits and the company's scrubber."""
    assert settings.secret_key is not None
    return CaptureService(
        session_factory,
        secret_key=settings.secret_key,
        scrubber=scrubber,
        limits=CaptureLimits(
            max_text_length=settings.max_text_length,
            per_hour=settings.rate_limit_per_hour,
            duplicate_window=timedelta(hours=settings.duplicate_window_hours),
        ),
    )


@dataclass(frozen=True)
class AfterAnswer:
    """The work done after Slack has its answer: the full scrub of what was stored sealed,
    then the embedding of clean reports."""

    privacy: PrivacyStep
    scrubbing: BatchWorker
    scrubbing_concerns: BatchWorker
    embedding: BatchWorker | None
    # Requests arriving: the workers wait for a pause in them before each batch.
    activity: Activity

    @classmethod
    def build(
        cls,
        settings: Settings,
        session_factory: SessionFactory,
        *,
        assign: Callable[[Sequence[int]], object],
        full_scrub: FullScrub,
    ) -> AfterAnswer:
        """The workers; `assign` embeds clean reports and lets each join its nearest theme."""
        assert settings.secret_key is not None
        activity = Activity()
        embedding = None
        if settings.embed_on_capture:
            # Batches, on a single worker thread, so bursts never starve request threads.
            embedding = BatchWorker(assign, name="embedding", activity=activity)
        privacy = PrivacyStep(
            session_factory,
            secret_key=settings.secret_key,
            full_scrub=full_scrub,
            on_clean=embedding.submit if embedding else None,
        )
        return cls(
            privacy=privacy,
            scrubbing=BatchWorker(
                privacy.painpoints, name="privacy", linger=0.05, activity=activity
            ),
            scrubbing_concerns=BatchWorker(
                privacy.concerns, name="privacy-concerns", linger=0.05, activity=activity
            ),
            embedding=embedding,
            activity=activity,
        )


def build_worker(
    settings: Settings,
    *,
    engine: Engine,
    session_factory: SessionFactory,
    themes: Callable[[], ThemeService] | None = None,
) -> Worker:
    """The background worker (nudges, re-clustering, digests) with its parts."""
    return Worker(
        settings,
        session_factory=session_factory,
        engine=engine,
        library=load_lessons(settings),
        theme_service=themes or (lambda: build_theme_service(settings, session_factory)),
    )


def create_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    session_factory: SessionFactory | None = None,
    deps: Deps | None = None,
    token_verification: bool = True,
) -> App:
    """The Bolt app with every listener registered and services injected into context."""
    client = client or make_client(settings)
    deps = deps or build_deps(settings, client=client, session_factory=session_factory)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        # Bolt's own check raises on a malformed timestamp and logs rejected bodies; ours
        # answers 401 to anything unverified before any other middleware or listener runs.
        request_verification_enabled=False,
        before_authorize=SignedRequestsOnly(settings.slack_signing_secret or ""),
        token_verification_enabled=token_verification,
        listener_executor=ThreadPoolExecutor(
            max_workers=settings.listener_threads, thread_name_prefix="painpoint-listener"
        ),
        logger=logging.getLogger("painpoint.bolt"),
    )

    @app.middleware
    def inject_deps(context: BoltContext, next: Callable[[], None]) -> None:
        context["deps"] = deps
        deps.activity.touch()
        next()

    register_listeners(app)
    return app
