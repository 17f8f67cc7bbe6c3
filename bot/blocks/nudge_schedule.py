"""The trainer's scheduling form (`/nudge`) and what it says once a campaign is scheduled."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    ConversationFilter,
    ConversationMultiSelectElement,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    OptionGroup,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import (
    MAX_VIEW_BLOCKS,
    escape_mrkdwn,
    option,
    to_dicts,
)
from bot.domain.lessons import Library
from bot.domain.nudges import (
    CampaignView,
    ThemeChoice,
)
from bot.domain.text import shorten
from bot.domain.themes import Suggestion

WHEN_CHOICES = {
    "now": "Now",
    "at": "Once, at a date and time",
    "daily": "Every day at a time",
    "weekly": "Every week on chosen days at a time",
}


WEEKDAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# -- the scheduling modal ------------------------------------------------------------------
MAX_SUGGESTED_THEMES = 5


def _suggested_blocks(
    themes: Sequence[ThemeChoice], suggested: Mapping[int, Sequence[Suggestion]]
) -> list[Block]:
    """One line per theme with a matching lesson, and a button that sends it right away."""
    blocks: list[Block] = []
    for theme in themes:
        lessons = suggested.get(theme.id)
        if not lessons:
            continue
        lesson = lessons[0]
        blocks.append(
            SectionBlock(
                block_id=f"suggested:{theme.id}",
                text=MarkdownTextObject(
                    text=shorten(
                        f"*Suggested for theme {escape_mrkdwn(theme.title)}* "
                        f"({theme.reporters} reporters): {escape_mrkdwn(lesson.title)}",
                        3000,
                    )
                ),
                accessory=ButtonElement(
                    text="Send to opted-in reporters",
                    action_id=ids.SEND_SUGGESTED_LESSON,
                    value=f"{theme.id}:{lesson.lesson_id}"[:2000],
                ),
            )
        )
        if len(blocks) >= MAX_SUGGESTED_THEMES:
            break
    if blocks:
        blocks.append(DividerBlock())
    return blocks


def schedule_modal(
    library: Library,
    *,
    themes: Sequence[ThemeChoice] = (),
    timezone: str = "UTC",
    suggested: Mapping[int, Sequence[Suggestion]] | None = None,
) -> dict[str, Any]:
    """`/nudge`: what to send, to whom, and when; lessons suggested for themes come first."""
    blocks: list[Block] = _suggested_blocks(themes, suggested or {})
    blocks.append(
        InputBlock(
            block_id=ids.B_CONTENT,
            label="Lesson or track",
            element=StaticSelectElement(
                action_id=ids.VALUE,
                placeholder="Choose a lesson or a track",
                option_groups=_content_groups(library),
            ),
        )
    )
    blocks += _audience_blocks(themes)
    blocks += _when_blocks()
    blocks += _recipient_time_blocks(timezone)
    view = View(
        type="modal",
        callback_id=ids.SCHEDULE_MODAL,
        title="Schedule a nudge",
        submit="Schedule",
        close="Cancel",
        private_metadata=json.dumps({"tz": timezone}),
        blocks=to_dicts(blocks, MAX_VIEW_BLOCKS),
    )
    return view.to_dict()


def _content_groups(library: Library) -> list[OptionGroup]:
    """Tracks (if any), then lessons, each by title."""
    groups = []
    if library.tracks:
        groups.append(
            OptionGroup(
                label="Tracks",
                options=[
                    option(
                        f"track:{t.id}",
                        t.title,
                        f"{len(t.lessons)} lessons, every {t.spacing_days} days",
                    )
                    for t in sorted(library.tracks.values(), key=lambda t: t.title)[:100]
                ],
            )
        )
    groups.append(
        OptionGroup(
            label="Lessons",
            options=[
                option(f"lesson:{lesson.id}", lesson.title, f"{lesson.level}, {lesson.minutes} min")
                for lesson in sorted(library.lessons.values(), key=lambda item: item.title)[:100]
            ],
        )
    )
    return groups


def _audience_blocks(themes: Sequence[ThemeChoice]) -> list[Block]:
    """Who: people, channels, user groups and, when there are any, a theme's reporters."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text="*Who* — any mix of the following")),
        InputBlock(
            block_id=ids.B_USERS,
            label="People",
            optional=True,
            element=UserMultiSelectElement(action_id=ids.VALUE, placeholder="Choose people"),
        ),
        InputBlock(
            block_id=ids.B_CHANNELS,
            label="Channels (their members)",
            optional=True,
            element=ConversationMultiSelectElement(
                action_id=ids.VALUE,
                placeholder="Choose channels",
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id=ids.B_GROUPS,
            label="User groups",
            optional=True,
            hint="User-group ids, separated by commas, e.g. S0123ABCD, S0456EFGH",
            element=PlainTextInputElement(action_id=ids.VALUE, max_length=500),
        ),
    ]
    if themes:
        blocks.append(
            InputBlock(
                block_id=ids.B_THEME,
                label="Pain-point theme (its opted-in reporters)",
                optional=True,
                element=StaticSelectElement(
                    action_id=ids.VALUE,
                    placeholder="Choose a theme",
                    options=[
                        option(f"theme:{t.id}", t.title, f"{t.reporters} reporters")
                        for t in themes[:100]
                    ],
                ),
            )
        )
    return blocks


def _when_blocks() -> list[Block]:
    """When: now, once, or recurring on chosen days."""
    when_options = [option(key, label) for key, label in WHEN_CHOICES.items()]
    return [
        InputBlock(
            block_id=ids.B_WHEN,
            label="When",
            element=RadioButtonsElement(
                action_id=ids.VALUE, options=when_options, initial_option=when_options[0]
            ),
        ),
        InputBlock(
            block_id=ids.B_DATE,
            label="Date (for a one-off)",
            optional=True,
            element=DatePickerElement(action_id=ids.VALUE),
        ),
        InputBlock(
            block_id=ids.B_TIME,
            label="Time (one-off or recurring)",
            optional=True,
            element=TimePickerElement(action_id=ids.VALUE, initial_time="10:00"),
        ),
        InputBlock(
            block_id=ids.B_WEEKDAYS,
            label="Days (weekly)",
            optional=True,
            element=CheckboxesElement(
                action_id=ids.VALUE,
                options=[option(str(i), name) for i, name in enumerate(WEEKDAY_LABELS)],
            ),
        ),
    ]


def _recipient_time_blocks(timezone: str) -> list[Block]:
    """In whose time zone the time is read, and the weekends and quiet hours to keep clear."""
    local_option = option(ids.OPTION_LOCAL_TIME, "At this time in each recipient's own time zone")
    return [
        InputBlock(
            block_id=ids.B_OPTIONS,
            label="Options",
            optional=True,
            element=CheckboxesElement(
                action_id=ids.VALUE,
                options=[local_option, option(ids.OPTION_SKIP_WEEKENDS, "Skip weekends")],
                initial_options=[local_option],
            ),
        ),
        InputBlock(
            block_id=ids.B_QUIET_START,
            label="Quiet hours from",
            optional=True,
            element=TimePickerElement(action_id=ids.VALUE),
        ),
        InputBlock(
            block_id=ids.B_QUIET_END,
            label="Quiet hours until",
            optional=True,
            element=TimePickerElement(action_id=ids.VALUE),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=(
                        "Without the time-zone option, times are read in your time zone "
                        f"({escape_mrkdwn(timezone)}). Weekends and quiet hours are always each "
                        "recipient's own; a nudge due in quiet hours waits until they end."
                    )
                )
            ]
        ),
    ]


def scheduled_text(campaign: CampaignView) -> str:
    """What a trainer is told after scheduling."""
    return (
        f"Campaign *#{campaign.id}* is scheduled: *{escape_mrkdwn(campaign.content)}* "
        f"for {_audience_text(campaign.audience)}, {escape_mrkdwn(campaign.schedule)}.\n"
        f"Follow it with `/nudge stats {campaign.id}`; stop it with `/nudge cancel {campaign.id}`."
    )


def _audience_text(audience: Sequence[str]) -> str:
    parts = []
    for entry in audience[:10]:
        if entry.startswith("theme:"):
            parts.append(f"the opted-in reporters of theme {entry.removeprefix('theme:')}")
        elif entry[:1] in {"C", "G"}:
            parts.append(f"<#{entry}>")
        elif entry[:1] == "S":
            parts.append(f"<!subteam^{entry}>")
        else:
            parts.append(f"<@{entry}>")
    if len(audience) > 10:
        parts.append(f"and {len(audience) - 10} more")
    return ", ".join(parts) or "nobody"
