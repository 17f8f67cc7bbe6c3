"""The parts listeners need, built once at the entry point and handed to them through context."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.session import SessionFactory
from bot.domain.wording import DEFAULT_WORDING, Wording
from bot.services.audit_log import ReadAuditLog
from bot.services.background import Activity, BatchWorker
from bot.services.capture import CaptureService
from bot.services.claims import RequestClaims
from bot.services.erasure import ErasureService
from bot.services.followups import FollowupService
from bot.services.insights import ThemeInsights
from bot.services.lenses import LensSuggester
from bot.services.nudges import NudgeService
from bot.services.pilots import PilotService
from bot.services.privacy import PrivacyStep
from bot.services.pulses import PulseService
from bot.services.suggestions import LessonSuggester
from bot.services.theme_corrections import ThemeCorrections
from bot.services.theme_status import ThemeStatusService
from bot.services.themes import ThemeService
from bot.settings import Settings
from bot.slack.notifications import ReporterNotifier
from bot.slack.roles import RoleDirectory


@dataclass
class Deps:
    """Services shared by every listener of one app."""

    settings: Settings
    session_factory: SessionFactory
    capture: CaptureService
    roles: RoleDirectory
    insights: ThemeInsights
    theme_status: ThemeStatusService
    # Managers' corrections of themes (rename, merge, split, move).
    corrections: ThemeCorrections
    themes: ThemeService
    # DMs to reporters who asked to be kept posted (through the gate).
    notifier: ReporterNotifier
    # The full scrub of text stored sealed, and the threads that run it after the ack.
    privacy: PrivacyStep
    privacy_workers: tuple[BatchWorker, ...]
    # When requests last arrived (background batches wait for a pause).
    activity: Activity
    # Interactions already acted on (replays are answered and ignored).
    claims: RequestClaims
    # Embeds new reports after the ack (None when PAINPOINT_EMBED_ON_CAPTURE is off).
    embedding_worker: BatchWorker | None = None
    # Training nudges and concerns (None only in apps built without them).
    nudges: NudgeService | None = None
    # Lessons that match each theme (None without a lesson library).
    suggester: LessonSuggester | None = None
    # Pilots, their pulses, receipts' follow-ups and audit lenses (None only in bare apps).
    pilots: PilotService | None = None
    pulses: PulseService | None = None
    followups: FollowupService | None = None
    lenses: LensSuggester | None = None
    # Privacy rights: what employees read (PAINPOINT_WORDING and the rules it states), the
    # read audit, and forget-me (None only in bare apps).
    wording: Wording = DEFAULT_WORDING
    audit_log: ReadAuditLog | None = None
    erasure: ErasureService | None = None

    def settle(self, timeout: float = 60.0, *, embeddings: bool = True) -> bool:
        """Wait until the after-the-ack work queued so far is done (tests, shutdown).

        `embeddings=False` waits for the privacy step only: at shutdown, embeddings can be
        made again by the next re-clustering, and waiting for them would delay the stop.
        """
        workers = [*self.privacy_workers]
        if embeddings and self.embedding_worker is not None:
            workers.append(self.embedding_worker)
        return all(worker.wait_idle(timeout) for worker in workers)

    def stop_background(self) -> None:
        """Tell the after-the-ack workers that the process is stopping."""
        for worker in (*self.privacy_workers, self.embedding_worker):
            if worker is not None:
                worker.stop()
