"""Mapping capture outcomes to the words a reporter sees."""

from __future__ import annotations

from typing import Any

from bot.blocks import capture as blocks
from bot.blocks import common
from bot.domain.capture import CaptureResult, Outcome
from bot.domain.wording import DEFAULT_WORDING, Wording

Reply = tuple[str, list[dict[str, Any]]]


def outcome_message(result: CaptureResult, max_length: int) -> str | None:
    """A one-line explanation for outcomes that stored nothing new, else None."""
    if result.outcome is Outcome.EMPTY:
        return "There was no text to record. Tell me what slows you down in a sentence or two."
    if result.outcome is Outcome.TOO_LONG:
        return (
            f"That is longer than the {max_length:,}-character limit. Please shorten it to the "
            "main problem; you can add detail afterwards."
        )
    if result.outcome is Outcome.RATE_LIMITED:
        return (
            "Thanks for all the reports! You have sent a lot in the last hour, so I am pausing "
            "new ones from you for a little while. Please try again later."
        )
    if result.outcome is Outcome.NOT_FOUND:
        return "I could not find that pain point among yours. See them with `/painpoint mine`."
    if result.outcome is Outcome.EXPIRED:
        return (
            "That pain point is past the retention period, so its text was removed and it "
            "cannot be changed. Please send it again as a new pain point."
        )
    return None


def capture_reply(
    result: CaptureResult, max_length: int, wording: Wording = DEFAULT_WORDING
) -> Reply:
    """The reply to a slash-command capture."""
    message = outcome_message(result, max_length)
    if message is not None:
        return common.notice(message)
    assert result.painpoint is not None
    return blocks.receipt(
        result.painpoint, duplicate=result.outcome is Outcome.DUPLICATE, wording=wording
    )
