"""A pilot's DMs in the outbox: the dispatcher asks here how to draw a non-lesson delivery.

Pulses, start and close messages are ordinary outbox deliveries (see bot.slack.dispatcher),
so they get the same exactly-once sending, pacing, 429 handling and crash recovery as nudges.
"""

from __future__ import annotations

from typing import Any

from bot.blocks.pilot_views import pilot_closed_message, pilot_started_message, pulse_message
from bot.services.pulses import PilotMessage, PulseService


def draw(message: PilotMessage, k: int) -> tuple[str, list[dict[str, Any]]]:
    """The text and blocks of a pilot DM."""
    if message.kind == "pulse":
        return pulse_message(
            message.pilot, delivery_id=message.delivery_id, answer=message.answer, k=k
        )
    if message.kind == "pilot-close":
        return pilot_closed_message(message.pilot)
    return pilot_started_message(message.pilot)


class PilotMessages:
    """The dispatcher's renderer for pilot deliveries (None for lessons)."""

    def __init__(self, pulses: PulseService) -> None:
        self._pulses = pulses

    def __call__(self, delivery_id: int, lesson_id: str) -> tuple[str, list[dict[str, Any]]] | None:
        message = self._pulses.message(delivery_id, lesson_id)
        return None if message is None else draw(message, self._pulses.min_reporters)
