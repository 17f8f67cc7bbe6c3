"""The nudge worker: lease, scheduler and dispatcher, in `painpoint worker` or `painpoint run`.

Every process may run one; the lease decides which one works. A lease thread renews (or tries
to take) the lease; the main loop, while the lease is held, syncs campaign jobs, expands runs
and dispatches the outbox. On becoming the holder it first recovers: deliveries left `sending`
are verified against the DM history, runs missed during the downtime are caught up or marked
missed, and the scheduler starts.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, pool

from bot.blocks.nudge import slack_problems
from bot.db.session import SessionFactory, make_engine
from bot.domain.lessons import Library, load_library
from bot.jobs import campaign_jobs as jobs
from bot.jobs import periodic
from bot.jobs.lease import Lease, LeaseState
from bot.services.insights import ThemeInsights
from bot.services.lenses import LensSuggester
from bot.services.pulses import PulseService
from bot.services.retention import RetentionService
from bot.services.themes import ThemeService
from bot.settings import Settings
from bot.slack.audience import AudienceResolver
from bot.slack.campaigns import CampaignRunner
from bot.slack.client import make_client
from bot.slack.digests import DigestPublisher
from bot.slack.dispatcher import Dispatcher, DispatchReport
from bot.slack.gate import SlackGate
from bot.slack.pulses import PilotMessages
from bot.slack.recipients import RecipientDirectory

logger = logging.getLogger(__name__)


@dataclass
class WorkerStats:
    """What the worker has done since it started (for logs, tests and the benchmark)."""

    acquisitions: int = 0
    dispatch: DispatchReport = field(default_factory=DispatchReport)
    recovered: DispatchReport = field(default_factory=DispatchReport)
    missed: int = 0


class Worker:
    """While this process holds the lease: schedules and sends nudges, re-clusters themes,
    posts the weekly digest and spike alerts."""

    def __init__(
        self,
        settings: Settings,
        *,
        session_factory: SessionFactory,
        engine: Engine,
        client: WebClient | None = None,
        library: Library | None = None,
        theme_service: Callable[[], ThemeService] | None = None,
        holder: str | None = None,
        idle_seconds: float = 0.5,
        sync_seconds: float = 2.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self._session_factory = session_factory
        self._engine = engine
        self._clock = clock
        # Builds the theme engine for periodic re-clustering (None: no theme jobs here).
        self._theme_service = theme_service
        self._idle = idle_seconds
        self._sync_every = sync_seconds
        ttl = float(settings.nudge_lease_seconds)
        self.lease = Lease(session_factory, ttl=ttl, holder=holder, clock=clock)
        # Calls must end well inside the lease (see Dispatcher): a third of it at most.
        self.call_timeout = min(10.0, ttl / 3)
        self.client = client or make_client(settings, gated=True, timeout=self.call_timeout)
        self.library = library or load_library(settings.lessons_dir, check=slack_problems)
        self.gate = SlackGate(settings.nudge_rate)
        self.recipients = RecipientDirectory(session_factory, self.client, self.gate, clock=clock)
        resolver = AudienceResolver(
            session_factory,
            self.client,
            self.gate,
            bot_user_id=self._bot_user_id(),
            min_reporters=settings.min_reporters,
        )
        self.grace = timedelta(minutes=settings.nudge_grace_minutes)
        self.runner = CampaignRunner(
            session_factory, resolver, self.recipients, grace=self.grace, clock=clock
        )
        self.dispatcher = self._dispatcher(clock)
        self.stats = WorkerStats()
        self._scheduler: BackgroundScheduler | None = None
        self._jobstore_engine: Engine | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._acquired = threading.Event()
        self._threads: list[threading.Thread] = []
        self._last_sync = 0.0
        self._last_expand = 0.0
        self._pending_gap: datetime | None = None

    def _dispatcher(self, clock: Callable[[], datetime]) -> Dispatcher:
        """The outbox's dispatcher, sending only while this worker holds the lease."""
        settings = self.settings
        return Dispatcher(
            self._session_factory,
            self.client,
            self.gate,
            self.recipients,
            self.library,
            holder=self.lease.holder,
            max_attempts=settings.nudge_max_attempts,
            threads=settings.nudge_threads,
            lease_left=self.lease.remaining,
            call_timeout=self.call_timeout,
            clock=clock,
            messages=PilotMessages(
                PulseService(
                    self._session_factory,
                    secret_key=settings.secret_key,
                    min_reporters=settings.min_reporters,
                    clock=clock,
                )
            ),
        )

    def _bot_user_id(self) -> str | None:
        try:
            return str(self.client.auth_test().get("user_id") or "") or None
        except (SlackApiError, OSError) as exc:
            logger.warning("auth.test failed (%s); the bot is not excluded from audiences", exc)
            return None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> Worker:
        """Run in background threads (inside `painpoint run`)."""
        for name, target in (("lease", self._lease_loop), ("main", self._main_loop)):
            thread = threading.Thread(target=target, name=f"painpoint-nudge-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float = 15.0, *, release: bool = True) -> None:
        """Stop, finish sends in flight, and release the lease for a quick successor.

        `release=False` leaves the lease to expire, as a crashed process would.
        """
        self._stop.set()
        self._wake.set()
        self.dispatcher.request_stop()
        self.gate.stop()
        for thread in self._threads:
            thread.join(timeout)
        self._stop_scheduler()
        self.dispatcher.close()
        if release and self.lease.held:
            try:
                self.lease.release()
            except Exception:
                logger.exception("could not release the nudge lease; it expires by itself")
        jobs.set_runner(None, only_if=self.runner)

    def run_forever(self) -> int:
        """`painpoint worker`: run until SIGINT/SIGTERM."""

        def _signal(signum: int, _frame: FrameType | None) -> None:
            logger.info("signal %s: stopping the nudge worker", signum)
            self._stop.set()
            self._wake.set()

        signal.signal(signal.SIGTERM, _signal)
        signal.signal(signal.SIGINT, _signal)
        logger.info("nudge worker %s started", self.lease.holder)
        self.start()
        while not self._stop.is_set():
            self._stop.wait(1.0)
        self.stop()
        return 0

    def poke(self) -> None:
        """Look for work now (a campaign was just scheduled in this process)."""
        self._last_sync = 0.0
        self._wake.set()

    # -- loops -------------------------------------------------------------------------------
    def _lease_loop(self) -> None:
        interval = self.lease.ttl / 3
        while not self._stop.is_set():
            try:
                state = self.lease.try_acquire()
            except Exception:
                logger.exception("nudge lease check failed")
            else:
                self._on_lease(state)
            self._stop.wait(interval)

    def _on_lease(self, state: LeaseState) -> None:
        if state.acquired:
            logger.info("this process now schedules and sends nudges (%s)", self.lease.holder)
            self._pending_gap = state.gap_since
            self._acquired.set()
            self._wake.set()

    def _main_loop(self) -> None:
        holding = False
        while not self._stop.is_set():
            try:
                if self.lease.held:
                    if not holding or self._acquired.is_set():
                        self._acquired.clear()
                        self._begin_tenure()
                        holding = True
                    busy = self.step()
                else:
                    if holding:
                        logger.warning("lost the nudge lease; stopping the scheduler")
                        self._stop_scheduler()
                        holding = False
                    busy = False
            except Exception:
                logger.exception("nudge worker step failed")
                busy = False
            if not busy:
                self._wake.wait(self._idle)
                self._wake.clear()
        if holding:
            self._stop_scheduler()

    def _begin_tenure(self) -> None:
        """Recover what a predecessor (or our own crash) left, then start the scheduler."""
        self.stats.acquisitions += 1
        self._stop_scheduler()
        jobs.set_runner(self.runner)
        now = self._clock()
        recovered = self.dispatcher.recover(now)
        self.stats.recovered.add(recovered)
        gap, self._pending_gap = self._pending_gap, None
        if gap is not None:
            self.stats.missed += self.dispatcher.mark_missed(gap, now, grace=self.grace)
        self.runner.fire_all(now)
        self._start_scheduler()
        if recovered.claimed:
            logger.info(
                "recovery: %s found already posted, %s sent now", recovered.verified, recovered.sent
            )

    def step(self) -> bool:
        """One round of the holder's work; True when there may be more to do at once."""
        now = self._clock()
        monotonic = time.monotonic()
        if self._scheduler is not None and monotonic - self._last_sync >= self._sync_every:
            self._last_sync = monotonic
            jobs.sync_jobs(self._scheduler, self._session_factory, now)
        if monotonic - self._last_expand >= 10 * self._sync_every:
            # Runs left half-expanded by a crash are finished here.
            self._last_expand = monotonic
            self.runner.expand_pending(now)
        report = self.dispatcher.dispatch(now)
        self.stats.dispatch.add(report)
        return report.claimed > 0 and not report.stopped

    def _start_scheduler(self) -> None:
        url = self._engine.url.render_as_string(hide_password=False)
        # Its own engine: the job store disposes of it on shutdown, which must not touch ours.
        self._jobstore_engine = make_engine(url, poolclass=pool.NullPool)
        scheduler = jobs.build_scheduler(self._jobstore_engine)
        scheduler.start()
        self._scheduler = scheduler
        self._last_sync = 0.0
        jobs.sync_jobs(scheduler, self._session_factory, self._clock())
        self._start_periodic(scheduler)

    def _start_periodic(self, scheduler: BackgroundScheduler) -> None:
        """Theme work rides on the same lease: re-clustering, weekly digest, spike alerts."""
        settings = self.settings
        publisher = None
        if settings.digest_channel:
            insights = ThemeInsights(self._session_factory, min_reporters=settings.min_reporters)
            publisher = DigestPublisher(
                insights,
                self.client,
                self._session_factory,
                channel=settings.digest_channel,
                gate=self.gate,
            )
        themes = self._theme_service() if self._theme_service is not None else None
        lenses = None
        if themes is not None:
            embeddings = themes.embeddings
            lenses = LensSuggester(
                self._session_factory,
                lambda: embeddings.embedder,
                model_name=embeddings.model_name,
            )
        retention = None
        if settings.retention_days is not None:
            retention = RetentionService(
                self._session_factory, days=settings.retention_days, clock=self._clock
            )
        periodic.install(
            periodic.PeriodicWork(
                themes=themes, publisher=publisher, lenses=lenses, retention=retention
            )
        )
        periodic.add_periodic_jobs(
            scheduler,
            recluster_cron=settings.recluster_cron if themes is not None else None,
            digest_cron=settings.digest_cron,
            timezone=settings.timezone,
            digests=publisher is not None,
            retention=retention is not None,
        )

    def _stop_scheduler(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            try:
                scheduler.shutdown(wait=False)
            except Exception:
                logger.exception("scheduler shutdown failed")
        jobs.set_runner(None, only_if=self.runner)
        periodic.install(None)
