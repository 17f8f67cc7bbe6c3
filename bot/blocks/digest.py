"""Digest messages, theme details and spike alerts: pure builders over `InsightReport`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
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
    to_dicts,
)
from bot.blocks.themes import correction_actions, movable_quotes
from bot.domain.capture import CATEGORIES
from bot.domain.text import shorten
from bot.domain.themes import (
    STATUSES,
    InsightReport,
    StatusOutcome,
    Suggestion,
    ThemeSummary,
    one_offs_sentence,
    spike_baseline,
    trend_label,
)

THEMES_PER_PAGE = 5
PERIOD_LABELS = {
    "7d": "the last 7 days",
    "30d": "the last 30 days",
    "90d": "the last 90 days",
    "all": "all time",
}


def _category_label(key: str | None) -> str:
    return CATEGORIES.get(key or "", "Uncategorised")


def theme_headline(summary: ThemeSummary) -> str:
    """One mrkdwn paragraph with the numbers a manager scans first."""
    spike = " · 🔥 *spike this week*" if summary.spike else ""
    hours = f" · ⏱ {summary.hours_per_week:,.0f} h/week" if summary.hours_per_week else ""
    if summary.impact is not None and summary.impact.people_with_hours:
        hours = f" · ⏱ {summary.impact.label()}"
    return (
        f"*{escape_mrkdwn(shorten(summary.title, 150))}*\n"
        f"👥 {summary.reporters} people · {summary.size} reports · {trend_label(summary)}"
        f"{hours} · {_category_label(summary.main_category)} · _{STATUSES.get(summary.status, summary.status)}_{spike}"
    )


def _quote_lines(quotes: Sequence[str], limit: int, length: int) -> str:
    return "\n".join(
        f"> {escape_mrkdwn(shorten(' '.join(q.split()), length))}" for q in quotes[:limit]
    )


def _status_select(summary: ThemeSummary) -> StaticSelectElement:
    options = [Option(value=f"{summary.id}:{key}", label=label) for key, label in STATUSES.items()]
    current = next((o for o in options if o.value == f"{summary.id}:{summary.status}"), None)
    return StaticSelectElement(
        action_id=ids.THEME_STATUS,
        placeholder="Set status",
        options=options,
        initial_option=current,
    )


def theme_blocks(
    summary: ThemeSummary, *, controls: bool, lessons: Sequence[Suggestion] = ()
) -> list[Block]:
    """The blocks for one theme in a digest, with the best-matching lesson when there is one."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=shorten(theme_headline(summary), 3000)))
    ]
    context_parts = []
    if summary.keywords:
        context_parts.append("🔑 " + escape_mrkdwn(shorten(", ".join(summary.keywords[:6]), 300)))
    quotes = _quote_lines(summary.quotes, ALERT_QUOTES, 220)
    if quotes:
        context_parts.append(quotes)
    if lessons:
        context_parts.append(
            "📚 Suggested lesson: " + escape_mrkdwn(shorten(lessons[0].title, 150))
        )
    if context_parts:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=shorten("\n".join(context_parts), 3000))]
            )
        )
    if controls:
        blocks.append(
            ActionsBlock(
                block_id=f"theme:{summary.id}",
                elements=[
                    _status_select(summary),
                    ButtonElement(
                        text="Details", action_id=ids.THEME_DETAILS, value=str(summary.id)
                    ),
                    pilot_button(summary),
                    *(
                        [
                            ButtonElement(
                                text="Send the lesson to reporters",
                                action_id=ids.SEND_SUGGESTED_LESSON,
                                value=f"{summary.id}:{lessons[0].lesson_id}"[:2000],
                            )
                        ]
                        if lessons
                        else []
                    ),
                ],
            )
        )
    return blocks


def pilot_button(summary: ThemeSummary) -> ButtonElement:
    """Start a pilot on the theme, or open the one that is running."""
    if summary.running_pilot is not None:
        return ButtonElement(
            text=f"Pilot #{summary.running_pilot}",
            action_id=ids.PILOT_VIEW,
            value=str(summary.running_pilot),
        )
    return ButtonElement(text="Start a pilot", action_id=ids.PILOT_START, value=str(summary.id))


def digest_message(
    report: InsightReport,
    *,
    page: int = 0,
    controls: bool = True,
    per_page: int = THEMES_PER_PAGE,
    suggestions: Mapping[int, Sequence[Suggestion]] | None = None,
) -> Response:
    """One page of the digest; always within Slack's 50-block limit."""
    scope = PERIOD_LABELS.get(report.period, report.period)
    if report.team:
        scope += f", team {report.team}"
    title = f"Pain-point digest — {scope}"
    blocks: list[Block] = [HeaderBlock(text=shorten(title, 150)), _digest_totals(report)]
    # Header, context, footer and "Show more" take 4 blocks; each theme takes 3 or 4.
    per_page = max(1, min(per_page, (MAX_MESSAGE_BLOCKS - 4) // (4 if controls else 3)))
    pages = max(1, -(-len(report.themes) // per_page))
    page = min(max(page, 0), pages - 1)
    shown = report.themes[page * per_page : (page + 1) * per_page]
    if not report.themes:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text="No recurring themes yet for this selection — nothing has been reported "
                    f"by {report.min_reporters} or more people."
                    if report.total_painpoints
                    else "No pain points have been reported in this selection yet."
                )
            )
        )
    for index, summary in enumerate(shown, start=page * per_page + 1):
        blocks.append(DividerBlock())
        theme = theme_blocks(
            summary, controls=controls, lessons=(suggestions or {}).get(summary.id, ())
        )
        first = theme[0]
        assert isinstance(first, SectionBlock) and first.text is not None
        first.text.text = shorten(f"{index}. {first.text.text}", 3000)
        blocks += theme
    blocks += _digest_footer(report, page=page, pages=pages, controls=controls)
    return f"{title}: {len(report.themes)} themes", to_dicts(blocks)


def _digest_totals(report: InsightReport) -> ContextBlock:
    return ContextBlock(
        elements=[
            MarkdownTextObject(
                text=(
                    f"{report.total_painpoints:,} reports from {report.total_reporters:,} people"
                    f" · ≈ {report.total_hours_per_week:,.0f} hours a week lost"
                    f" · themes shown only when at least {report.min_reporters} people report them"
                )
            )
        ]
    )


def _digest_footer(report: InsightReport, *, page: int, pages: int, controls: bool) -> list[Block]:
    """What is held back, which page this is, and "Show more" when there is a next page."""
    blocks: list[Block] = []
    footer = []
    if report.smaller_signals:
        footer.append(
            f"{report.smaller_signals} smaller signals ({report.suppressed_painpoints} reports) are not "
            f"shown: each has fewer than {report.min_reporters} reporters."
        )
    if one_offs := one_offs_sentence(report.unassigned_painpoints):
        footer.append(one_offs)
    if pages > 1:
        footer.append(f"Page {page + 1} of {pages} · {len(report.themes)} themes")
    if footer:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(footer))]))
    if controls and page + 1 < pages:
        value = json.dumps({"period": report.period, "team": report.team, "page": page + 1})
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Show more", action_id=ids.DIGEST_SHOW_MORE, value=value[:2000]
                    )
                ]
            )
        )
    return blocks


def theme_details_view(
    summary: ThemeSummary,
    suggestions: Sequence[str] = (),
    others: Sequence[ThemeSummary] = (),
) -> dict[str, Any]:
    """A modal with everything about one theme, and a manager's corrections of it."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=shorten(theme_headline(summary), 3000))),
        _theme_facts(summary),
        *_theme_notes(summary, suggestions, others),
        ActionsBlock(block_id=f"theme_pilot:{summary.id}", elements=[pilot_button(summary)]),
        correction_actions(summary, others),
    ]
    view = View(
        type="modal",
        title=shorten(f"Theme #{summary.id}", 24),
        close="Close",
        blocks=to_dicts(blocks, MAX_VIEW_BLOCKS),
    )
    return view.to_dict()


def _top_counts(mapping: dict[str, int], labels: dict[str, str] | None = None) -> str:
    items = sorted(mapping.items(), key=lambda kv: -kv[1])[:10]
    return ", ".join(f"{(labels or {}).get(k, k)} {v}" for k, v in items) or "—"


def _theme_facts(summary: ThemeSummary) -> SectionBlock:
    """When it was seen, by whom, how often, and its last twelve weeks."""
    return SectionBlock(
        fields=[
            MarkdownTextObject(text=f"*First seen*\n{summary.first_seen:%d %b %Y}"),
            MarkdownTextObject(text=f"*Last seen*\n{summary.last_seen:%d %b %Y}"),
            MarkdownTextObject(
                text=shorten(f"*Categories*\n{_top_counts(summary.categories, CATEGORIES)}", 2000)
            ),
            MarkdownTextObject(
                text=shorten(f"*How often*\n{_top_counts(summary.frequencies)}", 2000)
            ),
            MarkdownTextObject(text=shorten(f"*Teams*\n{_top_counts(summary.teams)}", 2000)),
            MarkdownTextObject(
                text=f"*Weekly reports (12 weeks)*\n{' '.join(map(str, summary.weekly_counts))}"
            ),
        ]
    )


def _theme_notes(
    summary: ThemeSummary, suggestions: Sequence[str], others: Sequence[ThemeSummary]
) -> list[Block]:
    """Keywords, quotes (each movable to one of `others`), why it will not be fixed and
    suggested lessons, where there are any."""
    blocks: list[Block] = []
    if summary.keywords:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=shorten("*Keywords* " + escape_mrkdwn(", ".join(summary.keywords)), 3000)
                )
            )
        )
    blocks += movable_quotes(summary, others)
    if summary.status_reason:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=shorten(f"*Why not fixed:* {escape_mrkdwn(summary.status_reason)}", 3000)
                )
            )
        )
    if suggestions:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=shorten(
                        "*Suggested lessons*\n"
                        + "\n".join(f"• {escape_mrkdwn(s)}" for s in suggestions),
                        3000,
                    )
                )
            )
        )
    return blocks


def wont_fix_view(theme_id: int, title: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Ask for the reason before marking a theme "won't fix"."""
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"Why won't *{escape_mrkdwn(shorten(title, 200))}* be fixed? Reporters who asked to be kept posted will read this."
            )
        ),
        InputBlock(
            block_id=ids.WONT_FIX_REASON,
            label="Reason",
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=500),
        ),
    ]
    view = View(
        type="modal",
        callback_id=ids.WONT_FIX_MODAL,
        title="Won't fix",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({"theme_id": theme_id, **metadata})[:3000],
        blocks=to_dicts(blocks, MAX_VIEW_BLOCKS),
    )
    return view.to_dict()


def status_notification(title: str, status: str, reason: str | None) -> Response:
    """The DM to an opted-in reporter: the theme and its new status, never other reporters."""
    label = STATUSES.get(status, status)
    text = f"An update on something you reported: the theme *{escape_mrkdwn(shorten(title, 200))}* is now *{label}*."
    if reason:
        text += f"\n_Reason:_ {escape_mrkdwn(shorten(reason, 500))}"
    text += "\nYou get this because you asked to be kept posted. Thank you for speaking up."
    return text.replace("*", ""), to_dicts([SectionBlock(text=MarkdownTextObject(text=text))])


ALERT_QUOTES = 2  # quotes a spike alert shows


def spike_alert(summary: ThemeSummary, min_reporters: int) -> Response:
    """A channel alert for a theme whose reports spiked this week."""
    this_week = summary.weekly_counts[-1] if summary.weekly_counts else 0
    text = (
        f"🔥 *Spike:* {escape_mrkdwn(shorten(summary.title, 150))} — {this_week} reports this week "
        f"(usually about {spike_baseline(summary.weekly_counts):.1f})"
    )
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text))]
    quotes = _quote_lines(summary.quotes, ALERT_QUOTES, 220)
    if quotes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=quotes)]))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{summary.reporters} people in all · shown because at least {min_reporters} reported it"
                )
            ]
        )
    )
    return text.replace("*", ""), to_dicts(blocks)


def status_change_line(outcome: StatusOutcome) -> str:
    """What the manager who changed a status reads: done (and who was told), or why not."""
    if outcome.result is None:
        return outcome.refusal or "That status could not be set."
    title, label = outcome.result.title, STATUSES[outcome.result.status]
    if outcome.refusal is None and outcome.reached == 0 and not outcome.result.changed:
        return f"*{title}* is already _{label}_."
    people = "person who asked" if outcome.reached == 1 else "people who asked"
    return f"*{title}* is now _{label}_; {outcome.reached} {people} to be kept posted were told."
