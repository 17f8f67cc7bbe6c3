"""`/painpoint privacy` (what is stored, who sees what, the minimum-reporter rule) and
`/painpoint forget` (its confirmation and its outcome)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.blocks import ids
from bot.blocks.capture import KEEP_POSTED_CONSENT, retention_line
from bot.blocks.common import Response, notice, plain, to_dicts
from bot.domain.privacy import ErasureReport
from bot.domain.wording import DEFAULT_WORDING, Wording


def _stored(wording: Wording) -> str:
    return (
        "*What is stored*\n"
        "• *What you write*, once names, e-mail addresses, phone numbers, card and account "
        "numbers, addresses, Slack mentions and secret links are replaced by placeholders such "
        "as [name]. For the few seconds before that check has run, your words are kept "
        "encrypted and only you can see them.\n"
        "• *What you add*: how often, hours a week, the kind of problem, your team, and when.\n"
        "• *Not your name.* Each report carries a code computed from your Slack id with a "
        "secret key: enough to count different people and to show you your own reports. The "
        "people who run painpoint hold the key, so they could compute the code of a given "
        "person; nobody else can.\n"
        "• *Your Slack id* is kept on a report only when you tick *Keep me posted* "
        f"(“{KEEP_POSTED_CONSENT}”), and on a concern only when you put your name to it. "
        "Lessons and pilot messages sent to you keep it so that each arrives once; your "
        "ratings, quiz and pulse answers are stored under the code.\n"
        f"• *For how long*: {retention_line(wording)}"
    )


def _who_sees(wording: Wording) -> str:
    k = wording.min_reporters
    return (
        "*Who sees what*\n"
        "• *You*: your own reports (`/painpoint mine`, the Home tab).\n"
        "• *Managers*, and the digest channel if your company set one: digests, the audit "
        "report and pilots — themes, counts and short quotes, only where at least "
        f"{k} different people are behind them; never who said what.\n"
        "• *Trainers*: how lessons were received, and concerns grouped by topic, only groups "
        f"shared by at least {k} people; your name only next to a concern you signed.\n"
        "• *The people who run painpoint*: everything in its database; its exports list every "
        "report with its code, never with a Slack id.\n"
        "• Every manager and trainer read and every export is logged: who, what and when."
    )


def _minimum_rule(wording: Wording) -> str:
    k = wording.min_reporters
    return (
        "*The minimum-reporter rule*\n"
        f"A theme, quote, team or period backed by fewer than {k} different people is never "
        "shown in a digest, report, chart or concern list: it only counts towards “smaller "
        "signals”. A small team or a rare problem therefore cannot point back to the one "
        "person who reported it."
    )


YOUR_RIGHTS = (
    "*Your choices*\n"
    "• `/painpoint mine` shows what you reported; `/painpoint delete <number>` erases one\n"
    "• *Add details* on a receipt lets you untick *Keep me posted*\n"
    "• `/painpoint forget` erases everything painpoint holds about you"
)


def privacy_message(wording: Wording = DEFAULT_WORDING) -> Response:
    """What is stored, who sees what, and the minimum-reporter rule, in plain words."""
    sections = [_stored(wording), _who_sees(wording), _minimum_rule(wording), YOUR_RIGHTS]
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=s)) for s in sections]
    return "What painpoint keeps about you, and who sees it", to_dicts(blocks)


def forget_confirmation(found: ErasureReport) -> Response:
    """What `/painpoint forget` would erase, and the button that does it (confirmed twice)."""
    if not found.total:
        return notice(
            "painpoint holds nothing tied to you: no reports, concerns, answers or Slack id. "
            "Nothing to erase."
        )
    listed = "\n".join(f"• {what}: {number}" for what, number in found.lines())
    text = (
        "*Erase everything painpoint holds about you?*\n"
        f"{listed}\n"
        "Themes and reports are recounted without you. If you paused nudges, that choice is "
        "kept so you stay paused. This cannot be undone."
    )
    confirm = ConfirmObject(
        title="Erase everything?",
        text="Your reports, concerns and answers are erased for good.",
        confirm="Erase",
        deny="Keep",
        style="danger",
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Erase everything",
                    action_id=ids.FORGET_CONFIRM,
                    value="forget",
                    style="danger",
                    confirm=confirm,
                )
            ]
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text="Changed your mind? Just leave this message as it is.")
            ]
        ),
    ]
    return plain("Erase everything painpoint holds about you?"), to_dicts(blocks)


def forget_done(report: ErasureReport) -> Response:
    """The outcome of `/painpoint forget`."""
    if not report.total:
        return notice("There was nothing left to erase: painpoint holds nothing tied to you.")
    listed = "\n".join(f"• {what}: {number}" for what, number in report.lines())
    return notice(
        f"*Erased.* painpoint no longer holds anything tied to you:\n{listed}\n"
        "Themes and reports are recounted without you."
    )
