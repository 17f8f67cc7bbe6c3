"""Managers' corrections of a theme, in its details modal: rename, merge, split, lens."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import option, to_dicts
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
            StaticSelectElement(
                action_id=ids.THEME_MERGE,
                placeholder="Merge into…",
                options=[
                    option(f"{summary.id}:{theme.id}", f"#{theme.id} {theme.title}")
                    for theme in choices
                ],
                confirm=ConfirmObject(
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
