"""Trainers' messages: usage, refusal, campaign lists and stats, and the concern report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.blocks.common import (
    MAX_MESSAGE_BLOCKS,
    Response,
    escape_mrkdwn,
    notice,
    to_dicts,
)
from bot.domain.nudges import (
    TOPICS,
    CampaignStats,
    CampaignView,
    ConcernReport,
    LessonStats,
)
from bot.domain.text import shorten

USAGE = (
    "*`/nudge`* — schedule AI lessons as Slack nudges (trainers)\n"
    "• `/nudge` — open the scheduling form\n"
    "• `/nudge list` — campaigns and their delivery counts\n"
    "• `/nudge cancel <id>` — stop a campaign; nothing more is sent\n"
    "• `/nudge stats <id>` — delivered, helpful %, done %, quiz correct %, concerns raised\n"
    "• `/nudge concerns` — what worries people, grouped (only groups several people share)"
)


def usage() -> Response:
    """The `/nudge help` text."""
    return notice(USAGE)


def refusal() -> Response:
    """The answer to non-trainers: the rule, and no data."""
    return notice(
        "Sorry, `/nudge` is for trainers. Ask your painpoint administrator if you need access. "
        "You can still report what slows you down with `/painpoint`."
    )


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def campaign_list(campaigns: Sequence[CampaignView]) -> Response:
    """`/nudge list`."""
    if not campaigns:
        return notice("No campaigns yet. Open the form with `/nudge`.")
    blocks: list[Block] = [HeaderBlock(text="Nudge campaigns")]
    for campaign in campaigns[:40]:
        counts = campaign.counts
        sent = counts.get("sent", 0)
        waiting = counts.get("pending", 0) + counts.get("sending", 0)
        problems = counts.get("failed", 0) + counts.get("missed", 0)
        line = (
            f"*#{campaign.id}* {escape_mrkdwn(shorten(campaign.content, 120))} — _{campaign.status}_\n"
            f"{escape_mrkdwn(shorten(campaign.schedule, 300))}; next run {_when(campaign.next_run_at)}\n"
            f"sent {sent}, waiting {waiting}, failed or missed {problems}"
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=line)))
    if len(campaigns) > 40:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=f"{len(campaigns) - 40} more not shown")]
            )
        )
    return f"{len(campaigns)} nudge campaigns", to_dicts(blocks)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _stats_line(stats: LessonStats, min_reporters: int) -> str:
    concerns = (
        str(stats.concerns) if stats.concerns is not None else f"fewer than {min_reporters} people"
    )
    quiz = (
        f"quiz correct {_pct(stats.quiz_correct_pct)} of {stats.quiz_answered}"
        if stats.has_quiz
        else "no quiz"
    )
    return (
        f"delivered {stats.delivered} · helpful {_pct(stats.helpful_pct)} · "
        f"done {_pct(stats.done_pct)} · {quiz} · concerns raised {concerns}"
    )


def campaign_stats(stats: CampaignStats) -> Response:
    """`/nudge stats <id>`: totals and one line per lesson."""
    campaign = stats.campaign
    counts = campaign.counts
    outbox = ", ".join(f"{name} {counts[name]}" for name in sorted(counts)) or "nothing yet"
    blocks: list[Block] = [
        HeaderBlock(text=shorten(f"#{campaign.id} {campaign.content}", 150)),
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    f"*Campaign:* {_stats_line(stats.totals, stats.min_reporters)}\n"
                    f"_{escape_mrkdwn(shorten(campaign.schedule, 300))}_ — {campaign.status}; "
                    f"outbox: {outbox}"
                )
            )
        ),
    ]
    if len(stats.lessons) > 1 or (stats.lessons and campaign.track_id):
        lines = [
            f"*{escape_mrkdwn(shorten(item.title, 100))}*: {_stats_line(item, stats.min_reporters)}"
            for item in stats.lessons
        ]
        for start in range(0, len(lines), 8):
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(text=shorten("\n".join(lines[start : start + 8]), 3000))
                )
            )
    text = f"Campaign #{campaign.id}: {_stats_line(stats.totals, stats.min_reporters)}"
    return text, to_dicts(blocks[:MAX_MESSAGE_BLOCKS])


def concern_report(report: ConcernReport) -> Response:
    """`/nudge concerns`: groups with counts and scrubbed quotes, smaller ones only counted."""
    if report.total == 0:
        return notice("No concerns have been shared yet.")
    blocks: list[Block] = [HeaderBlock(text="What worries people about AI at work")]
    if not report.groups:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=(
                        f"No concern is shared by {report.min_reporters} or more people yet, "
                        "so none is shown."
                    )
                )
            )
        )
    for group in report.groups[:20]:
        quotes = "\n".join(f"> {escape_mrkdwn(shorten(q, 280))}" for q in group.quotes)
        text = (
            f"*{escape_mrkdwn(group.label)}* — {group.count} concerns from "
            f"{group.reporters} people\n{quotes}"
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=shorten(text, 3000))))
    if report.signed:
        lines = [
            f"<@{c.user_id}> · {escape_mrkdwn(TOPICS.get(c.topic, c.topic))}: "
            f"{escape_mrkdwn(shorten(c.text, 200))}"
            for c in report.signed
        ]
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=shorten(
                        "*Signed — their authors chose to share their name*\n" + "\n".join(lines),
                        3000,
                    )
                )
            )
        )
    if report.smaller_signals:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=(
                            f"{report.smaller_signals} smaller signals: concerns in groups of "
                            f"fewer than {report.min_reporters} people are counted but not shown."
                        )
                    )
                ]
            )
        )
    return f"{report.total} concerns, {len(report.groups)} groups shown", to_dicts(blocks)
