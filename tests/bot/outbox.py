"""The outbox engine (campaign runner and dispatcher, pilot messages included), driven by hand
against the test database and the Slack stand-in."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.blocks.nudge import slack_problems
from bot.db.nudge_models import NudgeDelivery
from bot.db.session import SessionFactory
from bot.domain.lessons import load_library
from bot.services.pulses import PulseService
from bot.settings import Settings
from bot.slack.audience import AudienceResolver
from bot.slack.campaigns import CampaignRunner
from bot.slack.client import make_client
from bot.slack.dispatcher import Dispatcher
from bot.slack.gate import SlackGate
from bot.slack.pulses import PilotMessages
from bot.slack.recipients import RecipientDirectory
from tests.conftest import SECRET_KEY
from tests.slack_stand_in import SlackStandIn


@dataclass
class Outbox:
    """A runner and a dispatcher that send pilot DMs as the worker would."""

    session_factory: SessionFactory
    stand_in: SlackStandIn
    runner: CampaignRunner
    dispatcher: Dispatcher

    def send_due(self, now: datetime | None = None) -> None:
        """Expand every due run and dispatch until nothing due is pending."""
        self.runner.fire_all(now)
        for _ in range(50):
            report = self.dispatcher.dispatch(now)
            if report.claimed == 0:
                return

    def deliveries(self, lesson_id: str) -> list[NudgeDelivery]:
        with self.session_factory() as session:
            return list(
                session.scalars(
                    select(NudgeDelivery)
                    .where(NudgeDelivery.lesson_id == lesson_id)
                    .order_by(NudgeDelivery.id)
                )
            )

    def dms(self, event_lesson: str) -> Counter[str]:
        """User id → how many DMs carrying this outbox key Slack accepted."""
        found: Counter[str] = Counter()
        for channel, messages in self.stand_in.history.items():
            for message in messages:
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                if payload.get("lesson_id") == event_lesson:
                    found["U" + channel[1:]] += 1
        return found

    def close(self) -> None:
        self.dispatcher.close()


def outbox(settings: Settings, session_factory: SessionFactory, stand_in: SlackStandIn) -> Outbox:
    """The engine with a fast message budget (no pacing waits in tests)."""
    client = make_client(settings, gated=True, timeout=2.0)
    gate = SlackGate(1000.0)
    recipients = RecipientDirectory(session_factory, client, gate)
    resolver = AudienceResolver(
        session_factory, client, gate, bot_user_id="UBOT", min_reporters=settings.min_reporters
    )
    runner = CampaignRunner(session_factory, resolver, recipients, grace=timedelta(hours=1))
    pulses = PulseService(
        session_factory, secret_key=SECRET_KEY, min_reporters=settings.min_reporters
    )
    dispatcher = Dispatcher(
        session_factory,
        client,
        gate,
        recipients,
        load_library(check=slack_problems),
        holder="test",
        threads=4,
        call_timeout=2.0,
        messages=PilotMessages(pulses),
    )
    return Outbox(session_factory, stand_in, runner, dispatcher)
