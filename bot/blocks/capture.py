"""Messages and views for capturing pain points: the modal, receipts, help, lists, App Home."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import (
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    Response,
    escape_mrkdwn,
    notice,
    option,
    plain,
    to_dicts,
)
from bot.domain.capture import CATEGORIES, FREQUENCIES, MAX_HOURS_PER_WEEK, PainPointView
from bot.domain.roles import Role
from bot.domain.text import shorten

MODAL_TEXT_LIMIT = 3000  # Slack's plain_text_input max_length
PROTECTION_LINE = (
    "Your name is not stored with it: managers only ever see themes that several people "
    "report, with e-mails, phone numbers and mentions removed."
)
STATUS_LABELS = {
    "received": "Received",
    "new": "New theme",
    "under_review": "Under review",
    "piloting": "Piloting",
    "addressed": "Addressed",
    "wont_fix": "Won't fix",
}


def report_modal(
    *,
    text: str = "",
    frequency: str | None = None,
    hours_per_week: float | None = None,
    category: str | None = None,
    team: str | None = None,
    keep_posted: bool = False,
    teams: Sequence[str] = (),
    metadata: dict[str, Any] | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    """The "what slows you down" modal, optionally prefilled; metadata rides along."""
    blocks: list[Block] = []
    if notice:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=shorten(notice, 3000))]))
    blocks.append(
        InputBlock(
            block_id=ids.REPORT_TEXT,
            label="What slows you down?",
            hint="A sentence or two is plenty. E-mails, phone numbers and mentions are removed.",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=MODAL_TEXT_LIMIT,
                initial_value=shorten(text, MODAL_TEXT_LIMIT) if text else None,
                placeholder="e.g. I copy order numbers from the CRM into billing by hand every day",
            ),
        )
    )
    frequency_options = [option(key, label) for key, label in FREQUENCIES.items()]
    blocks.append(
        InputBlock(
            block_id=ids.REPORT_FREQUENCY,
            label="How often does it happen?",
            optional=True,
            element=StaticSelectElement(
                action_id=ids.VALUE,
                placeholder="Choose",
                options=frequency_options,
                initial_option=_initial(frequency_options, frequency),
            ),
        )
    )
    blocks.append(
        InputBlock(
            block_id=ids.REPORT_HOURS,
            label="Roughly how many hours a week does it cost you?",
            optional=True,
            element=NumberInputElement(
                action_id=ids.VALUE,
                is_decimal_allowed=True,
                min_value=0,
                max_value=int(MAX_HOURS_PER_WEEK),
                initial_value=_format_hours(hours_per_week),
            ),
        )
    )
    category_options = [option(key, label) for key, label in CATEGORIES.items()]
    blocks.append(
        InputBlock(
            block_id=ids.REPORT_CATEGORY,
            label="What kind of problem is it?",
            optional=True,
            element=StaticSelectElement(
                action_id=ids.VALUE,
                placeholder="Choose",
                options=category_options,
                initial_option=_initial(category_options, category),
            ),
        )
    )
    if teams:
        team_options = [option(shorten(name, 150), name) for name in teams[:100]]
        team_element: StaticSelectElement | PlainTextInputElement = StaticSelectElement(
            action_id=ids.VALUE,
            placeholder="Choose",
            options=team_options,
            initial_option=_initial(team_options, team),
        )
    else:
        team_element = PlainTextInputElement(
            action_id=ids.VALUE, max_length=80, initial_value=team or None
        )
    blocks.append(
        InputBlock(block_id=ids.REPORT_TEAM, label="Your team", optional=True, element=team_element)
    )
    keep_option = Option(
        value="yes",
        label="Keep me posted about what happens with this",
        description="We keep your Slack id only to send you one message when its theme changes.",
    )
    blocks.append(
        InputBlock(
            block_id=ids.REPORT_KEEP_POSTED,
            label="Updates",
            optional=True,
            element=CheckboxesElement(
                action_id=ids.VALUE,
                options=[keep_option],
                initial_options=[keep_option] if keep_posted else None,
            ),
        )
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=PROTECTION_LINE)]))
    view = View(
        type="modal",
        callback_id=ids.REPORT_MODAL,
        title="Report a pain point",
        submit="Send",
        close="Cancel",
        private_metadata=json.dumps(metadata or {}),
        blocks=to_dicts(blocks, MAX_VIEW_BLOCKS),
    )
    return view.to_dict()


def _initial(options: Sequence[Option], value: str | None) -> Option | None:
    return next((option for option in options if option.value == value), None)


def _format_hours(hours: float | None) -> str | None:
    if hours is None:
        return None
    return str(int(hours)) if float(hours).is_integer() else f"{hours:g}"


def receipt(painpoint: PainPointView, *, duplicate: bool = False) -> Response:
    """The ephemeral answer to `/painpoint <text>`: number, protection line, Add details."""
    if duplicate:
        headline = f"You already recorded this as pain point *#{painpoint.id}* — it is stored once."
    else:
        headline = f"Thanks — recorded as pain point *#{painpoint.id}*."
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=headline)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="It joins others' reports to find recurring problems worth fixing. "
                    + PROTECTION_LINE
                )
            ]
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Add details",
                    action_id=ids.ADD_DETAILS,
                    value=str(painpoint.id),
                    style="primary",
                )
            ]
        ),
    ]
    return plain(headline), to_dicts(blocks)


def dm_receipt(painpoint: PainPointView, *, duplicate: bool = False) -> Response:
    """The thread reply to a DM: number, how to add detail, and an Undo button."""
    if duplicate:
        headline = f"You already recorded this as pain point *#{painpoint.id}* — it is stored once."
    else:
        headline = f"Recorded as pain point *#{painpoint.id}*. Reply in this thread to add detail."
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=headline)),
        ContextBlock(elements=[MarkdownTextObject(text=PROTECTION_LINE)]),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Add details", action_id=ids.ADD_DETAILS, value=str(painpoint.id)
                ),
                ButtonElement(text="Undo", action_id=ids.UNDO, value=str(painpoint.id)),
            ]
        ),
    ]
    return plain(headline), to_dicts(blocks)


HELP_TEXT = (
    "*painpoint* collects what slows you down at work, so the company fixes the right things "
    "before it buys any AI.\n"
    "• `/painpoint <what slows you down>` records it at once\n"
    "• `/painpoint` opens a form with a few optional details\n"
    "• Send me a direct message — each message is one pain point; reply in its thread to add detail\n"
    "• On any message: *More actions → Log as pain point*\n"
    "• `/painpoint mine` lists your recent reports\n"
    "• `/painpoint delete <number>` erases one of yours for good\n"
    "• `/painpoint settings` shows your nudge settings\n"
)
MANAGER_HELP = "*For managers:* `/painpoint digest [7d|30d|90d|all] [team]`, `/painpoint report`"


def help_message(*, is_manager: bool = False) -> Response:
    """Usage help; managers also see their sub-commands."""
    text = HELP_TEXT + ("\n" + MANAGER_HELP if is_manager else "") + "\n_" + PROTECTION_LINE + "_"
    return notice(text)


def _painpoint_line(painpoint: PainPointView) -> str:
    status = STATUS_LABELS.get(painpoint.status, painpoint.status.replace("_", " ").title())
    when = painpoint.created_at.strftime("%d %b %Y")
    return f"*#{painpoint.id}* · {when} · _{status}_\n{escape_mrkdwn(shorten(painpoint.text, 280))}"


def mine_message(painpoints: Sequence[PainPointView]) -> Response:
    """The reporter's own recent pain points."""
    if not painpoints:
        return notice(
            "You have not reported any pain points yet. Try `/painpoint <what slows you down>`."
        )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text="*Your recent pain points*")),
    ]
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=_painpoint_line(item)))
        for item in painpoints[: MAX_MESSAGE_BLOCKS - 2]
    ]
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text="Erase one with `/painpoint delete <number>`.")]
        )
    )
    return f"Your {len(painpoints)} most recent pain points", to_dicts(blocks)


def home_view(painpoints: Sequence[PainPointView]) -> dict[str, Any]:
    """The App Home tab: purpose, protection, the user's own reports, a report button."""
    blocks: list[Block] = [
        HeaderBlock(text="What slows you down?"),
        SectionBlock(
            text=MarkdownTextObject(
                text="Tell me what costs you time at work — repetitive tasks, waiting on "
                "approvals, hunting for information, clunky tools. Hundreds of reports become "
                "a few recurring themes that show where help (including AI) would really pay off."
            )
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Report a pain point", action_id=ids.OPEN_REPORT, style="primary"
                )
            ]
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text="*How your reports are protected*\n"
                "• Stored under a keyed pseudonym, not your name or Slack id\n"
                "• E-mails, phone numbers, mentions and secret links are removed before storing\n"
                "• Managers only see themes reported by several different people\n"
                "• You can erase any of your reports at any time"
            )
        ),
        DividerBlock(),
        HeaderBlock(text="Your recent pain points"),
    ]
    if painpoints:
        blocks += [
            SectionBlock(text=MarkdownTextObject(text=_painpoint_line(item)))
            for item in painpoints[: MAX_VIEW_BLOCKS - len(blocks) - 1]
        ]
    else:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text="_Nothing yet — your reports will show here._")
            )
        )
    return View(type="home", blocks=to_dicts(blocks, MAX_VIEW_BLOCKS)).to_dict()


def role_refusal_text(role: Role) -> str:
    """A polite refusal that reveals nothing but the rule."""
    return (
        f"Sorry, that is for {role.value}s. Ask your painpoint administrator if you need "
        "access. You can still report with `/painpoint <what slows you down>`."
    )


def role_refusal(role: Role) -> Response:
    """`role_refusal_text` as a message."""
    return notice(role_refusal_text(role))
