"""Managers' corrections of a theme, in its details modal: rename, merge, split, lens, and
moving a quoted report to another theme."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import escape_mrkdwn, option, to_dicts
from bot.domain.lenses import LENSES
from bot.domain.text import shorten
from bot.domain.themes import ThemeSummary


def correction_actions(summary: ThemeSummary, others: Sequence[ThemeSummary]) -> ActionsBlock:
    """Rename, merge into another shown theme, split in two, set the audit lens."""
    elements: list[Any] = [
        ButtonElement(text="Rename", action_id=ids.THEME_RENAME, value=str(summary.id)),
        ButtonElement(
            text="Split in two",
            action_id=ids.THEME_SPLIT,
            value=str(summary.id),
            confirm=ConfirmObject(
                title="Split this theme?",
                text="Its reports are divided in two by meaning; the smaller part becomes a "
                "new theme. Re-clustering keeps the split.",
                confirm="Split",
                deny="Cancel",
            ),
        ),
    ]
    choices = [theme for theme in others if theme.id != summary.id][:100]
    if choices:
        elements.append(
            _theme_select(
                ids.THEME_MERGE,
                "Merge into…",
                summary.id,
                choices,
                ConfirmObject(
                    title="Merge this theme?",
                    text="All its reports move to the theme you chose, for good.",
                    confirm="Merge",
                    deny="Cancel",
                ),
            )
        )
    elements.append(
        StaticSelectElement(
            action_id=ids.THEME_LENS,
            placeholder="Set the audit lens…",
            options=[option(f"{summary.id}:{key}", label) for key, label in LENSES.items()],
            confirm=ConfirmObject(
                title="Set the lens?",
                text="Every report of this theme counts under the lens you chose, over the "
                "reporters' choices and the suggestions.",
                confirm="Set lens",
                deny="Cancel",
            ),
        )
    )
    return ActionsBlock(block_id=f"theme_corrections:{summary.id}", elements=elements)


def rename_view(theme_id: int, title: str) -> dict[str, Any]:
    """Ask for a theme's new title (kept across re-clusterings)."""
    view = View(
        type="modal",
        callback_id=ids.THEME_RENAME_MODAL,
        title="Rename theme",
        submit="Rename",
        close="Cancel",
        private_metadata=json.dumps({"theme_id": theme_id}),
        blocks=to_dicts(
            [
                InputBlock(
                    block_id=ids.THEME_RENAME_TITLE,
                    label="A title that names the problem",
                    element=PlainTextInputElement(
                        action_id=ids.VALUE, initial_value=shorten(title, 150), max_length=150
                    ),
                )
            ]
        ),
    )
    return view.to_dict()


def movable_quotes(
    summary: ThemeSummary, others: Sequence[ThemeSummary], limit: int = 3, length: int = 600
) -> list[SectionBlock]:
    """The theme's quotes, each with a "Move to…" select of the other shown themes.

    A manager who reads a quote that does not belong moves its report from here; the move
    is pinned, so re-clustering keeps it. Quotes without a known report stay plain.
    """
    choices = [theme for theme in others if theme.id != summary.id][:100]
    blocks: list[SectionBlock] = []
    for n, quote in enumerate(summary.quotes[:limit]):
        text = f"> {escape_mrkdwn(shorten(' '.join(quote.split()), length))}"
        if n == 0:
            text = f"*In their words*\n{text}"
        report = summary.quote_ids[n] if n < len(summary.quote_ids) else None
        move = None
        if report is not None and choices:
            move = _theme_select(
                ids.THEME_MOVE,
                "Move to…",
                report,
                choices,
                ConfirmObject(
                    title="Move this report?",
                    text="It leaves this theme for the one you chose, for good.",
                    confirm="Move",
                    deny="Cancel",
                ),
            )
        blocks.append(
            SectionBlock(
                block_id=f"theme_quote:{summary.id}:{n}",
                text=MarkdownTextObject(text=shorten(text, 3000)),
                accessory=move,
            )
        )
    return blocks


def _theme_select(
    action_id: str,
    placeholder: str,
    subject: int,
    choices: Sequence[ThemeSummary],
    confirm: ConfirmObject,
) -> StaticSelectElement:
    """A select of shown themes whose values are `<subject>:<chosen theme>`."""
    return StaticSelectElement(
        action_id=action_id,
        placeholder=placeholder,
        options=[
            option(f"{subject}:{theme.id}", f"#{theme.id} {theme.title}") for theme in choices
        ],
        confirm=confirm,
    )
