"""One-tap follow-ups under a receipt: "How often?" and "Hours a week?"."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
)

from bot.blocks import ids
from bot.domain.capture import PainPointView
from bot.domain.impact import FOLLOWUP_FREQUENCIES, HOURS_BUCKETS, bucket_of


def followup_action(kind: str, choice: str) -> str:
    """The action id of one answer button (unique within the message, as Slack requires)."""
    return f"{ids.FOLLOWUP_PREFIX}{kind}_{choice}"


def parse_followup(action_id: str, value: str) -> tuple[str, str, int] | None:
    """(kind, choice, pain point id) from a button, or None when it is not one of ours."""
    rest = action_id.removeprefix(ids.FOLLOWUP_PREFIX)
    kind, _, choice = rest.partition("_")
    number, _, _ = value.partition(":")
    if rest == action_id or not number.isdigit():
        return None
    if (kind, choice) not in {("frequency", c) for c in FOLLOWUP_FREQUENCIES} | {
        ("hours", c) for c in HOURS_BUCKETS
    }:
        return None
    return kind, choice, int(number)


def followup_blocks(painpoint: PainPointView) -> list[Block]:
    """Both questions with the stored answers marked; answering is optional and can wait."""
    hours = bucket_of(painpoint.hours_per_week)
    frequency = painpoint.frequency if painpoint.frequency in FOLLOWUP_FREQUENCIES else None
    answered = [
        FOLLOWUP_FREQUENCIES[frequency] if frequency else None,
        f"{HOURS_BUCKETS[hours][0]} a week" if hours else None,
    ]
    note = ", ".join(a for a in answered if a)
    hint = (
        f"Noted: {note}. Tap again to change it."
        if note
        else "Optional, one tap each, now or later: it helps show how much this costs."
    )
    return [
        ContextBlock(elements=[MarkdownTextObject(text=f"*How often? Hours a week?* {hint}")]),
        ActionsBlock(
            block_id=f"{ids.FOLLOWUP_BLOCK}_frequency",
            elements=[
                ButtonElement(
                    text=label,
                    action_id=followup_action("frequency", key),
                    value=f"{painpoint.id}:{key}",
                    style="primary" if key == frequency else None,
                )
                for key, label in FOLLOWUP_FREQUENCIES.items()
            ],
        ),
        ActionsBlock(
            block_id=f"{ids.FOLLOWUP_BLOCK}_hours",
            elements=[
                ButtonElement(
                    text=label,
                    action_id=followup_action("hours", key),
                    value=f"{painpoint.id}:{key}",
                    style="primary" if key == hours else None,
                )
                for key, (label, _) in HOURS_BUCKETS.items()
            ],
        ),
    ]
