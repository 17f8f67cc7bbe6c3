"""Nudge messages, the scheduling and concern modals, and trainers' lists, stats and concerns."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    ConversationFilter,
    ConversationMultiSelectElement,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import MAX_MESSAGE_BLOCKS, MAX_VIEW_BLOCKS, escape_mrkdwn, shorten, to_dicts
from bot.blocks.digest import SEND_SUGGESTED_LESSON
from bot.domain.lessons import Lesson, Library, Problem
from bot.domain.nudges import (
    TOPICS,
    CampaignStats,
    CampaignView,
    ConcernReport,
    LessonStats,
    NudgeState,
    ThemeChoice,
)
from bot.domain.themes import Suggestion

Response = tuple[str, list[dict[str, Any]]]

EVENT_TYPE = "painpoint_nudge"  # message metadata type carried by every nudge

# Callback, block and action ids.
SCHEDULE_MODAL = "nudge_schedule"
CONCERN_MODAL = "nudge_concern"
VALUE = "value"
FEEDBACK_HELPFUL = "nudge_feedback_helpful"
FEEDBACK_NOT_FOR_ME = "nudge_feedback_not_for_me"
FEEDBACK_DONE = "nudge_feedback_done"
FEEDBACK_ACTIONS = (FEEDBACK_HELPFUL, FEEDBACK_NOT_FOR_ME, FEEDBACK_DONE)
QUIZ_ACTION_PREFIX = "nudge_quiz_"
OPEN_CONCERN = "nudge_concern_open"
PAUSE = "nudge_pause"
RESUME = "nudge_resume"
QUIZ_QUESTION_BLOCK = "nudge_quiz_question"
QUIZ_BLOCK = "nudge_quiz"
ACTIONS_BLOCK = "nudge_actions"
STATUS_BLOCK = "nudge_status"

# Schedule modal block ids.
B_CONTENT = "content"
B_USERS = "users"
B_CHANNELS = "channels"
B_GROUPS = "groups"
B_THEME = "theme"
B_WHEN = "when"
B_DATE = "date"
B_TIME = "time"
B_WEEKDAYS = "weekdays"
B_OPTIONS = "options"
B_QUIET_START = "quiet_start"
B_QUIET_END = "quiet_end"
OPTION_LOCAL_TIME = "local_time"
OPTION_SKIP_WEEKENDS = "skip_weekends"
WHEN_CHOICES = {
    "now": "Now",
    "at": "Once, at a date and time",
    "daily": "Every day at a time",
    "weekly": "Every week on chosen days at a time",
}
WEEKDAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Concern modal block ids.
B_CONCERN_TEXT = "concern_text"
B_CONCERN_TOPIC = "concern_topic"
B_CONCERN_NAME = "concern_name"
CONCERN_TEXT_LIMIT = 3000
CONCERN_PROTECTION = (
    "Anonymous unless you tick the box: your name is not stored, e-mails, phone numbers and "
    "mentions are removed, and trainers only see concerns that several people share."
)
SECTION_LIMIT = 3000


def _section_chunks(body: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split a body at paragraph breaks into pieces that fit one section each."""
    chunks: list[str] = []
    current = ""
    for paragraph in body.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        # A single paragraph over the limit is left whole: building the section refuses it,
        # which is how `painpoint lessons validate` reports it.
        current = paragraph
    if current:
        chunks.append(current)
    return chunks


def nudge_metadata(delivery_id: int, lesson_id: str, campaign_id: int) -> dict[str, Any]:
    """The message metadata that lets a restarted dispatcher recognise a nudge it sent."""
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {
            "delivery_id": delivery_id,
            "lesson_id": lesson_id,
            "campaign_id": campaign_id,
        },
    }


def nudge_message(
    lesson: Lesson,
    *,
    delivery_id: int,
    step: tuple[int, int] | None = None,
    track_title: str | None = None,
    state: NudgeState | None = None,
) -> Response:
    """The nudge DM: title, body, quiz (or its feedback), and the five buttons."""
    state = state or NudgeState()
    value = str(delivery_id)
    facts = [f"{lesson.level.capitalize()} · about {lesson.minutes} min"]
    if step is not None and track_title:
        facts.append(f"lesson {step[0]} of {step[1]} in _{escape_mrkdwn(track_title)}_")
    blocks: list[Block] = [
        HeaderBlock(text=lesson.title),
        ContextBlock(elements=[MarkdownTextObject(text=shorten(" · ".join(facts), 3000))]),
    ]
    blocks.extend(
        SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in _section_chunks(lesson.body)
    )
    if lesson.link:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=f"<{lesson.link}|Read more about this>"))
        )
    blocks.append(DividerBlock())
    quiz = lesson.quiz
    if quiz is not None and state.quiz_answer is None:
        blocks.append(
            SectionBlock(
                block_id=QUIZ_QUESTION_BLOCK,
                text=MarkdownTextObject(text=f"*Quick check:* {escape_mrkdwn(quiz.question)}"),
            )
        )
        blocks.append(
            ActionsBlock(
                block_id=QUIZ_BLOCK,
                elements=[
                    ButtonElement(
                        text=option,
                        action_id=f"{QUIZ_ACTION_PREFIX}{index}",
                        value=f"{delivery_id}:{index}",
                    )
                    for index, option in enumerate(quiz.options)
                ],
            )
        )
    elif quiz is not None and state.quiz_answer is not None:
        right = escape_mrkdwn(quiz.options[quiz.answer])
        if state.quiz_correct:
            verdict = f":white_check_mark: *Right:* {right}."
        else:
            chosen = (
                quiz.options[state.quiz_answer]
                if 0 <= state.quiz_answer < len(quiz.options)
                else "?"
            )
            verdict = (
                f":x: *Not quite.* You chose “{escape_mrkdwn(chosen)}”; the answer is “{right}”."
            )
        blocks.append(
            SectionBlock(
                block_id=QUIZ_BLOCK,
                text=MarkdownTextObject(
                    text=shorten(f"{verdict}\n{escape_mrkdwn(quiz.explanation)}", SECTION_LIMIT)
                ),
            )
        )
    blocks.append(
        ActionsBlock(
            block_id=ACTIONS_BLOCK,
            elements=[
                ButtonElement(
                    text="Helpful",
                    action_id=FEEDBACK_HELPFUL,
                    value=value,
                    style="primary" if state.rating == "helpful" else None,
                ),
                ButtonElement(text="Not for me", action_id=FEEDBACK_NOT_FOR_ME, value=value),
                ButtonElement(
                    text="Done",
                    action_id=FEEDBACK_DONE,
                    value=value,
                    style="primary" if state.done else None,
                ),
                ButtonElement(text="I have a concern", action_id=OPEN_CONCERN, value=value),
                ButtonElement(text="Pause nudges", action_id=PAUSE, value=value),
            ],
        )
    )
    status = _status_line(state)
    if status:
        blocks.append(
            ContextBlock(block_id=STATUS_BLOCK, elements=[MarkdownTextObject(text=status)])
        )
    text = shorten(f"{lesson.title} — {lesson.summary}", 3000)
    return text, to_dicts(blocks, MAX_MESSAGE_BLOCKS)


def _status_line(state: NudgeState) -> str:
    parts = []
    if state.rating == "helpful":
        parts.append("You found this helpful — thank you!")
    elif state.rating == "not_for_me":
        parts.append("Noted: not for you. Thanks for saying so.")
    if state.done:
        parts.append("Marked done :white_check_mark:")
    if state.paused:
        parts.append("Nudges are paused. Resume any time with `/painpoint settings`.")
    return "  ·  ".join(parts)


# -- the scheduling modal ------------------------------------------------------------------
def _option(value: str, label: str, description: str | None = None) -> Option:
    return Option(
        value=value,
        label=shorten(label, 75),
        description=shorten(description, 75) if description else None,
    )


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
                    action_id=SEND_SUGGESTED_LESSON,
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
    groups = []
    if library.tracks:
        groups.append(
            OptionGroup(
                label="Tracks",
                options=[
                    _option(
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
                _option(
                    f"lesson:{lesson.id}", lesson.title, f"{lesson.level}, {lesson.minutes} min"
                )
                for lesson in sorted(library.lessons.values(), key=lambda item: item.title)[:100]
            ],
        )
    )
    blocks: list[Block] = _suggested_blocks(themes, suggested or {})
    blocks += [
        InputBlock(
            block_id=B_CONTENT,
            label="Lesson or track",
            element=StaticSelectElement(
                action_id=VALUE, placeholder="Choose a lesson or a track", option_groups=groups
            ),
        ),
        SectionBlock(text=MarkdownTextObject(text="*Who* — any mix of the following")),
        InputBlock(
            block_id=B_USERS,
            label="People",
            optional=True,
            element=UserMultiSelectElement(action_id=VALUE, placeholder="Choose people"),
        ),
        InputBlock(
            block_id=B_CHANNELS,
            label="Channels (their members)",
            optional=True,
            element=ConversationMultiSelectElement(
                action_id=VALUE,
                placeholder="Choose channels",
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id=B_GROUPS,
            label="User groups",
            optional=True,
            hint="User-group ids, separated by commas, e.g. S0123ABCD, S0456EFGH",
            element=PlainTextInputElement(action_id=VALUE, max_length=500),
        ),
    ]
    if themes:
        blocks.append(
            InputBlock(
                block_id=B_THEME,
                label="Pain-point theme (its opted-in reporters)",
                optional=True,
                element=StaticSelectElement(
                    action_id=VALUE,
                    placeholder="Choose a theme",
                    options=[
                        _option(f"theme:{t.id}", t.title, f"{t.reporters} reporters")
                        for t in themes[:100]
                    ],
                ),
            )
        )
    when_options = [_option(key, label) for key, label in WHEN_CHOICES.items()]
    local_option = _option(OPTION_LOCAL_TIME, "At this time in each recipient's own time zone")
    blocks += [
        InputBlock(
            block_id=B_WHEN,
            label="When",
            element=RadioButtonsElement(
                action_id=VALUE, options=when_options, initial_option=when_options[0]
            ),
        ),
        InputBlock(
            block_id=B_DATE,
            label="Date (for a one-off)",
            optional=True,
            element=DatePickerElement(action_id=VALUE),
        ),
        InputBlock(
            block_id=B_TIME,
            label="Time (one-off or recurring)",
            optional=True,
            element=TimePickerElement(action_id=VALUE, initial_time="10:00"),
        ),
        InputBlock(
            block_id=B_WEEKDAYS,
            label="Days (weekly)",
            optional=True,
            element=CheckboxesElement(
                action_id=VALUE,
                options=[_option(str(i), name) for i, name in enumerate(WEEKDAY_LABELS)],
            ),
        ),
        InputBlock(
            block_id=B_OPTIONS,
            label="Options",
            optional=True,
            element=CheckboxesElement(
                action_id=VALUE,
                options=[local_option, _option(OPTION_SKIP_WEEKENDS, "Skip weekends")],
                initial_options=[local_option],
            ),
        ),
        InputBlock(
            block_id=B_QUIET_START,
            label="Quiet hours from",
            optional=True,
            element=TimePickerElement(action_id=VALUE),
        ),
        InputBlock(
            block_id=B_QUIET_END,
            label="Quiet hours until",
            optional=True,
            element=TimePickerElement(action_id=VALUE),
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
    view = View(
        type="modal",
        callback_id=SCHEDULE_MODAL,
        title="Schedule a nudge",
        submit="Schedule",
        close="Cancel",
        private_metadata=json.dumps({"tz": timezone}),
        blocks=to_dicts(blocks, MAX_VIEW_BLOCKS),
    )
    return view.to_dict()


def confirmation_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (after a submission)."""
    view = View(
        type="modal",
        title=shorten(title, 24),
        close="Close",
        blocks=to_dicts([SectionBlock(text=MarkdownTextObject(text=shorten(text, 3000)))]),
    )
    return view.to_dict()


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


# -- the concern modal -------------------------------------------------------------------------
def concern_modal(*, delivery_id: int, lesson_title: str | None) -> dict[str, Any]:
    """ "I have a concern": the concern, its topic, and an opt-in to put one's name to it."""
    topic_options = [_option(key, label) for key, label in TOPICS.items()]
    name_option = _option("yes", "Share my name with the trainers")
    blocks: list[Block] = []
    if lesson_title:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"About the lesson *{escape_mrkdwn(shorten(lesson_title, 200))}*"
                    )
                ]
            )
        )
    blocks += [
        InputBlock(
            block_id=B_CONCERN_TEXT,
            label="What worries you?",
            element=PlainTextInputElement(
                action_id=VALUE,
                multiline=True,
                max_length=CONCERN_TEXT_LIMIT,
                placeholder="e.g. I am not sure what happens to the data we paste into these tools",
            ),
        ),
        InputBlock(
            block_id=B_CONCERN_TOPIC,
            label="Topic",
            optional=True,
            element=StaticSelectElement(
                action_id=VALUE, placeholder="Choose a topic", options=topic_options
            ),
        ),
        InputBlock(
            block_id=B_CONCERN_NAME,
            label="Anonymous by default",
            optional=True,
            element=CheckboxesElement(action_id=VALUE, options=[name_option]),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=CONCERN_PROTECTION)]),
    ]
    view = View(
        type="modal",
        callback_id=CONCERN_MODAL,
        title="Share a concern",
        submit="Send",
        close="Cancel",
        private_metadata=json.dumps({"delivery_id": delivery_id}),
        blocks=to_dicts(blocks, MAX_VIEW_BLOCKS),
    )
    return view.to_dict()


# -- trainers' messages ------------------------------------------------------------------------
def notice(text: str) -> Response:
    """A one-section message."""
    return text, to_dicts([SectionBlock(text=MarkdownTextObject(text=shorten(text, 3000)))])


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


def settings_message(*, paused: bool) -> Response:
    """`/painpoint settings`: nudge status and the button to change it."""
    if paused:
        text = "*Nudges are paused.* You will not get lessons until you resume."
        button = ButtonElement(
            text="Resume nudges", action_id=RESUME, value="settings", style="primary"
        )
    else:
        text = "*Nudges are on.* You get short AI lessons when your trainers schedule them."
        button = ButtonElement(text="Pause nudges", action_id=PAUSE, value="settings")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(elements=[button]),
    ]
    return text.replace("*", ""), to_dicts(blocks)


def slack_problems(lesson: Lesson) -> list[Problem]:
    """Build the real nudge message for the lesson; anything Slack would refuse is a problem."""
    try:
        # The largest ids a delivery can carry, so action values are measured at their longest.
        nudge_message(lesson, delivery_id=2**62, step=(99, 99), track_title="x" * 150)
    except (SlackObjectFormationError, ValueError) as exc:
        return [Problem(lesson.path, "body", f"does not fit in a Slack message: {exc}")]
    return []
