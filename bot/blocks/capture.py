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
from bot.blocks.followups import followup_blocks
from bot.domain.capture import CATEGORIES, FREQUENCIES, MAX_HOURS_PER_WEEK, PainPointView
from bot.domain.roles import Role
from bot.domain.text import shorten
from bot.domain.wording import DEFAULT_WORDING, Wording

MODAL_TEXT_LIMIT = 3000  # Slack's plain_text_input max_length
# The one consent, in the words the nudge audience honours (bot.slack.audience): a reporter
# who did not tick it is never messaged about their theme, by anyone.
KEEP_POSTED_LABEL = "Keep me posted"
KEEP_POSTED_CONSENT = "You may message me about this theme — its status, a pilot, a lesson"
KEEP_POSTED_KEPT = (
    "Ticking *Keep me posted* keeps your Slack id with this report, only for those messages; "
    "untick it any time with *Add details*."
)
KEPT_POSTED_RECEIPT = (
    "You asked to be kept posted, so your Slack id is kept with this report, only to message "
    "you about its theme — its status, a pilot, a lesson. Untick it with *Add details*."
)


def protection_line(wording: Wording = DEFAULT_WORDING) -> str:
    """What is kept and who sees it, in one line (receipts, the form, help)."""
    return (
        "What is kept: your words with names, e-mails, phone numbers and similar details "
        "removed, under a code instead of your name. Managers see them only within a theme that "
        f"at least {wording.min_reporters} people report. Details: `/painpoint privacy`."
    )


def retention_line(wording: Wording = DEFAULT_WORDING) -> str:
    """How long the text is kept (PAINPOINT_RETENTION_DAYS)."""
    if wording.retention_days is None:
        return "Your reports are kept until you erase them."
    return (
        f"The text of a report is removed after {wording.retention_days} days; it still counts "
        "in the numbers."
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
    wording: Wording = DEFAULT_WORDING,
) -> dict[str, Any]:
    # Long: one form's inputs in the order people fill them in, read as the screen reads.
    """The "what slows you down" modal, optionally prefilled; metadata rides along."""
    blocks: list[Block] = []
    if notice:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=shorten(notice, 3000))]))
    blocks.append(
        InputBlock(
            block_id=ids.REPORT_TEXT,
            label=wording.question,
            hint="A sentence or two is plenty. Names, e-mails, phone numbers and mentions are "
            "removed.",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=MODAL_TEXT_LIMIT,
                initial_value=shorten(text, MODAL_TEXT_LIMIT) if text else None,
                placeholder=wording.placeholder,
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
    keep_option = Option(value="yes", label=KEEP_POSTED_LABEL, description=KEEP_POSTED_CONSENT)
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
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text=f"{KEEP_POSTED_KEPT}\n{protection_line(wording)}")]
        )
    )
    view = View(
        type="modal",
        callback_id=ids.REPORT_MODAL,
        title=wording.form_title,
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


def receipt_note(painpoint: PainPointView, wording: Wording = DEFAULT_WORDING) -> str:
    """What a receipt says about the report: what it is for, what is kept, and the Slack id
    when (and only when) the reporter asked to be kept posted."""
    note = f"{wording.receipt} {protection_line(wording)}"
    return f"{note}\n{KEPT_POSTED_RECEIPT}" if painpoint.keep_posted else note


def receipt(
    painpoint: PainPointView, *, duplicate: bool = False, wording: Wording = DEFAULT_WORDING
) -> Response:
    """The ephemeral answer to `/painpoint <text>`: number, protection line, Add details."""
    if duplicate:
        headline = f"You already recorded this as pain point *#{painpoint.id}* — it is stored once."
    else:
        headline = f"Thanks — recorded as pain point *#{painpoint.id}*."
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=headline)),
        ContextBlock(elements=[MarkdownTextObject(text=receipt_note(painpoint, wording))]),
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
    blocks += followup_blocks(painpoint)
    return plain(headline), to_dicts(blocks)


def dm_receipt(
    painpoint: PainPointView, *, duplicate: bool = False, wording: Wording = DEFAULT_WORDING
) -> Response:
    """The thread reply to a DM: number, how to add detail, and an Undo button."""
    if duplicate:
        headline = f"You already recorded this as pain point *#{painpoint.id}* — it is stored once."
    else:
        headline = f"Recorded as pain point *#{painpoint.id}*. Reply in this thread to add detail."
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=headline)),
        ContextBlock(elements=[MarkdownTextObject(text=receipt_note(painpoint, wording))]),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Add details", action_id=ids.ADD_DETAILS, value=str(painpoint.id)
                ),
                ButtonElement(text="Undo", action_id=ids.UNDO, value=str(painpoint.id)),
            ]
        ),
    ]
    blocks += followup_blocks(painpoint)
    return plain(headline), to_dicts(blocks)


HELP_TEXT = (
    "• `/painpoint <what slows you down>` records it at once\n"
    "• `/painpoint` opens a form with a few optional details\n"
    "• Send me a direct message — each message is one pain point; reply in its thread to add detail\n"
    "• On any message: *More actions → Log as pain point*\n"
    "• `/painpoint mine` lists your recent reports\n"
    "• `/painpoint delete <number>` erases one of yours for good\n"
    "• `/painpoint settings` shows your nudge settings\n"
    "• `/painpoint privacy` says what is kept, who sees what, and why small groups stay hidden\n"
    "• `/painpoint forget` erases everything painpoint holds about you\n"
)
MANAGER_HELP = (
    "*For managers:* `/painpoint digest [7d|30d|90d|all] [team]`, `/painpoint report`, "
    "`/painpoint pilots`, `/painpoint pilot <number>`, "
    "`/painpoint pilot log <number> <KPI> <value>`"
)


def help_message(*, is_manager: bool = False, wording: Wording = DEFAULT_WORDING) -> Response:
    """Usage help; managers also see their sub-commands."""
    manager = "\n" + MANAGER_HELP if is_manager else ""
    text = f"{wording.intro}\n{HELP_TEXT}{manager}\n_{protection_line(wording)}_"
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


def home_protection(wording: Wording = DEFAULT_WORDING) -> str:
    """App Home's account of what is kept and who sees it."""
    return (
        "*What is kept, and who sees it*\n"
        "• Your words, with names, e-mails, phone numbers, card and account numbers, "
        "addresses and mentions removed, and the details you add (how often, hours, team)\n"
        "• A code made from your Slack id, not your name: it counts you once and shows you "
        "your own reports\n"
        "• Your Slack id only on reports where you tick *Keep me posted*, to message you "
        "about that theme — its status, a pilot, a lesson\n"
        f"• Managers see themes only when at least {wording.min_reporters} people report "
        "them, with short quotes; every read is logged\n"
        f"• {retention_line(wording)} Erase one with `/painpoint delete <number>`, everything "
        "with `/painpoint forget`; more in `/painpoint privacy`"
    )


def home_view(
    painpoints: Sequence[PainPointView], *, wording: Wording = DEFAULT_WORDING
) -> dict[str, Any]:
    """The App Home tab: purpose, protection, the user's own reports, a report button."""
    blocks: list[Block] = [
        HeaderBlock(text=wording.question),
        SectionBlock(text=MarkdownTextObject(text=wording.intro)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=wording.report_button, action_id=ids.OPEN_REPORT, style="primary"
                )
            ]
        ),
        SectionBlock(text=MarkdownTextObject(text=home_protection(wording))),
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
