"""The nudge engine wired to the test database and the Slack stand-in, plus helpers, shared by
the tests of services, slack, jobs, cli and listeners (the `parts` fixture is in conftest.py)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.app import build_nudge_service
from bot.blocks.nudge import slack_problems
from bot.db.nudge_models import NudgeDelivery, NudgeFeedback
from bot.db.session import SessionFactory
from bot.domain.lessons import Library, load_library
from bot.domain.nudges import ScheduleRequest
from bot.privacy.scrub import default_scrubber
from bot.services.nudges import NudgeService
from bot.services.privacy import PrivacyStep
from bot.settings import Settings
from bot.slack.audience import AudienceResolver
from bot.slack.campaigns import CampaignRunner
from bot.slack.client import make_client
from bot.slack.dispatcher import Dispatcher
from bot.slack.gate import SlackGate
from bot.slack.recipients import RecipientDirectory
from tests.slack_stand_in import SlackStandIn

LESSON = "good-and-bad-at"  # has a quiz
UNFINISHED = ("pending", "sending")


@dataclass
class Parts:
    """The engine's pieces, driven by hand (no threads but the dispatcher's pool)."""

    settings: Settings
    session_factory: SessionFactory
    stand_in: SlackStandIn
    library: Library
    gate: SlackGate
    recipients: RecipientDirectory
    runner: CampaignRunner
    dispatcher: Dispatcher
    service: NudgeService

    def schedule(self, audience: list[str], *, lesson: str = LESSON, **kwargs: Any) -> int:
        request = ScheduleRequest(content=f"lesson:{lesson}", audience=audience, **kwargs)
        return self.service.schedule(request, created_by="UTRAINER").id

    def deliveries(self, **where: Any) -> list[NudgeDelivery]:
        with self.session_factory() as session:
            query = select(NudgeDelivery).order_by(NudgeDelivery.id)
            for key, value in where.items():
                query = query.where(getattr(NudgeDelivery, key) == value)
            return list(session.scalars(query).all())

    def feedback(self) -> list[NudgeFeedback]:
        """Stored ratings, done marks and quiz answers (under pseudonyms), by delivery."""
        with self.session_factory() as session:
            return list(session.scalars(select(NudgeFeedback).order_by(NudgeFeedback.delivery_id)))

    def drain(self, timeout: float = 30.0) -> None:
        """Dispatch until no delivery is pending or sending (429 pauses included)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.dispatcher.dispatch()
            if not any(d.status in UNFINISHED for d in self.deliveries()):
                return
            time.sleep(0.05)
        left = Counter(d.status for d in self.deliveries())
        raise AssertionError(f"outbox not drained: {left}")


def fast_nudge_settings(settings: Settings) -> Settings:
    """Settings for driving the engine quickly: no pacing to speak of, a short lease."""
    return settings.model_copy(
        update={"nudge_rate": 1000.0, "nudge_threads": 4, "nudge_lease_seconds": 6}
    )


def make_parts(
    settings: Settings, session_factory: SessionFactory, stand_in: SlackStandIn
) -> Parts:
    library = load_library(check=slack_problems)
    client = make_client(settings, gated=True, timeout=2.0)
    gate = SlackGate(settings.nudge_rate)
    recipients = RecipientDirectory(session_factory, client, gate)
    resolver = AudienceResolver(
        session_factory, client, gate, bot_user_id="UBOT", min_reporters=settings.min_reporters
    )
    runner = CampaignRunner(
        session_factory,
        resolver,
        recipients,
        grace=timedelta(minutes=settings.nudge_grace_minutes),
    )
    dispatcher = Dispatcher(
        session_factory,
        client,
        gate,
        recipients,
        library,
        holder="test",
        max_attempts=settings.nudge_max_attempts,
        threads=settings.nudge_threads,
        call_timeout=2.0,
    )
    return Parts(
        settings=settings,
        session_factory=session_factory,
        stand_in=stand_in,
        library=library,
        gate=gate,
        recipients=recipients,
        runner=runner,
        dispatcher=dispatcher,
        service=nudge_service_scrubbing_at_once(settings, session_factory),
    )


def nudges_in_history(stand_in: SlackStandIn) -> Counter[str]:
    """How many nudges each DM channel holds (successful posts only)."""
    counts: Counter[str] = Counter()
    for channel, messages in stand_in.history.items():
        for message in messages:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == "painpoint_nudge":
                counts[channel] += 1
    return counts


def dm(user: str) -> str:
    """The DM channel the stand-in's conversations.open gives for a user."""
    return "D" + user[1:]


def post_responder(
    failing: dict[str, str] | None = None,
    before: Callable[[dict[str, Any]], None] | None = None,
) -> Callable[[SlackStandIn, dict[str, Any]], dict[str, Any]]:
    """A chat.postMessage answer like the stand-in's own, with per-channel errors."""
    failing = failing or {}
    counter = iter(range(1, 10**9))

    def answer(stand_in: SlackStandIn, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel"))
        if channel in failing:
            return {"ok": False, "error": failing[channel]}
        n = next(counter)
        ts = f"{1800000000 + n}.{n:06d}"
        message = {"ts": ts, "text": params.get("text"), "metadata": params.get("metadata")}
        stand_in.history.setdefault(channel, []).append(message)
        if before is not None:
            before(params)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    return answer


def nudge_service_scrubbing_at_once(
    settings: Settings, session_factory: SessionFactory
) -> NudgeService:
    """The nudge service, with each concern's full scrub run at once instead of in the app's
    background thread (service tests read what was stored right away)."""
    service = build_nudge_service(settings, session_factory)
    step = PrivacyStep(
        session_factory,
        secret_key=settings.secret_key or "",
        full_scrub=lambda texts: [default_scrubber().full(text) for text in texts],
    )
    service.concerns.on_recorded = lambda concern_id: step.concerns([concern_id])
    return service
