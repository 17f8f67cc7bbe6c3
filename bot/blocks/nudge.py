"""The nudge a recipient gets: lesson, quiz, buttons, its state; the concern form; nudge settings."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
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
    option,
    to_dicts,
)
from bot.domain.lessons import Lesson, Problem
from bot.domain.nudges import (
    TOPICS,
    NudgeState,
)
from bot.domain.text import shorten

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
        "event_type": ids.EVENT_TYPE,
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
                block_id=ids.QUIZ_QUESTION_BLOCK,
                text=MarkdownTextObject(text=f"*Quick check:* {escape_mrkdwn(quiz.question)}"),
            )
        )
        blocks.append(
            ActionsBlock(
                block_id=ids.QUIZ_BLOCK,
                elements=[
                    ButtonElement(
                        text=option,
                        action_id=f"{ids.QUIZ_ACTION_PREFIX}{index}",
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
                block_id=ids.QUIZ_BLOCK,
                text=MarkdownTextObject(
                    text=shorten(f"{verdict}\n{escape_mrkdwn(quiz.explanation)}", SECTION_LIMIT)
                ),
            )
        )
    blocks.append(
        ActionsBlock(
            block_id=ids.ACTIONS_BLOCK,
            elements=[
                ButtonElement(
                    text="Helpful",
                    action_id=ids.FEEDBACK_HELPFUL,
                    value=value,
                    style="primary" if state.rating == "helpful" else None,
                ),
                ButtonElement(text="Not for me", action_id=ids.FEEDBACK_NOT_FOR_ME, value=value),
                ButtonElement(
                    text="Done",
                    action_id=ids.FEEDBACK_DONE,
                    value=value,
                    style="primary" if state.done else None,
                ),
                ButtonElement(text="I have a concern", action_id=ids.OPEN_CONCERN, value=value),
                ButtonElement(text="Pause nudges", action_id=ids.PAUSE, value=value),
            ],
        )
    )
    status = _status_line(state)
    if status:
        blocks.append(
            ContextBlock(block_id=ids.STATUS_BLOCK, elements=[MarkdownTextObject(text=status)])
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


# -- the concern modal -------------------------------------------------------------------------
def concern_modal(*, delivery_id: int, lesson_title: str | None) -> dict[str, Any]:
    """ "I have a concern": the concern, its topic, and an opt-in to put one's name to it."""
    topic_options = [option(key, label) for key, label in TOPICS.items()]
    name_option = option("yes", "Share my name with the trainers")
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
            block_id=ids.B_CONCERN_TEXT,
            label="What worries you?",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=CONCERN_TEXT_LIMIT,
                placeholder="e.g. I am not sure what happens to the data we paste into these tools",
            ),
        ),
        InputBlock(
            block_id=ids.B_CONCERN_TOPIC,
            label="Topic",
            optional=True,
            element=StaticSelectElement(
                action_id=ids.VALUE, placeholder="Choose a topic", options=topic_options
            ),
        ),
        InputBlock(
            block_id=ids.B_CONCERN_NAME,
            label="Anonymous by default",
            optional=True,
            element=CheckboxesElement(action_id=ids.VALUE, options=[name_option]),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=CONCERN_PROTECTION)]),
    ]
    view = View(
        type="modal",
        callback_id=ids.CONCERN_MODAL,
        title="Share a concern",
        submit="Send",
        close="Cancel",
        private_metadata=json.dumps({"delivery_id": delivery_id}),
        blocks=to_dicts(blocks, MAX_VIEW_BLOCKS),
    )
    return view.to_dict()


def settings_message(*, paused: bool) -> Response:
    """`/painpoint settings`: nudge status and the button to change it."""
    if paused:
        text = "*Nudges are paused.* You will not get lessons until you resume."
        button = ButtonElement(
            text="Resume nudges", action_id=ids.RESUME, value="settings", style="primary"
        )
    else:
        text = "*Nudges are on.* You get short AI lessons when your trainers schedule them."
        button = ButtonElement(text="Pause nudges", action_id=ids.PAUSE, value="settings")
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
