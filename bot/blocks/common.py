"""What every builder shares: Slack's limits, escaping, validation, one notice, one confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, MarkdownTextObject, Option, SectionBlock
from slack_sdk.models.views import View

from bot.domain.text import shorten

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
Response = tuple[str, list[dict[str, Any]]]


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as markup in mrkdwn text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(mrkdwn: str) -> str:
    """The notification text of a mrkdwn line (bold and italics markers dropped)."""
    return mrkdwn.replace("*", "").replace("_", "")


def to_dicts(blocks: Sequence[Block], limit: int = MAX_MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """Validated dicts for a message or view; refuses more blocks than Slack accepts."""
    if len(blocks) > limit:
        raise ValueError(f"{len(blocks)} blocks exceed Slack's limit of {limit}")
    return [block.to_dict() for block in blocks]


def notice(text: str) -> Response:
    """A one-paragraph message (refusals, confirmations, errors)."""
    text = shorten(text, 3000)
    return plain(text), to_dicts([SectionBlock(text=MarkdownTextObject(text=text))])


def confirmation_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (after a submission)."""
    view = View(
        type="modal",
        title=shorten(title, 24),
        close="Done",
        blocks=to_dicts([SectionBlock(text=MarkdownTextObject(text=shorten(text, 3000)))]),
    )
    return view.to_dict()


def option(value: str, label: str, description: str | None = None) -> Option:
    """A select, radio or checkbox option with its texts cut to Slack's 75 characters."""
    return Option(
        value=value,
        label=shorten(label, 75),
        description=shorten(description, 75) if description else None,
    )
