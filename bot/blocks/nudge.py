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
from bot.domain.lessons import Lesson, Problem, Quiz
from bot.domain.nudges import (
    TOPICS,
    NudgeState,
)
from bot.domain.text import shorten

CONCERN_TEXT_LIMIT = 3000


def concern_protection(min_reporters: int) -> str:
    """What is kept of a concern and who sees it."""
    return (
        "What is kept: your words, with names, e-mails, phone numbers and mentions removed, "
        "under a code instead of your name. Trainers see concerns only in groups that at least "
        f"{min_reporters} people share. Ticking the box keeps your Slack id with this concern, "
        "and trainers see your name next to it. `/painpoint forget` erases it with everything "
        "else."
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
    blocks = _lesson_blocks(lesson, step, track_title)
    blocks.append(DividerBlock())
    if lesson.quiz is not None:
        blocks += _quiz_blocks(lesson.quiz, state, delivery_id)
    blocks.append(_feedback_buttons(state, str(delivery_id)))
    status = _status_line(state)
    if status:
        blocks.append(
            ContextBlock(block_id=ids.STATUS_BLOCK, elements=[MarkdownTextObject(text=status)])
        )
    text = shorten(f"{lesson.title} — {lesson.summary}", 3000)
    return text, to_dicts(blocks, MAX_MESSAGE_BLOCKS)


def _lesson_blocks(
    lesson: Lesson, step: tuple[int, int] | None, track_title: str | None
) -> list[Block]:
    """Title, level and length (and the place in its track), the body and its link."""
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
    return blocks


def _quiz_blocks(quiz: Quiz, state: NudgeState, delivery_id: int) -> list[Block]:
    """The question with one button per option, or, once answered, the verdict."""
    if state.quiz_answer is None:
        return [
            SectionBlock(
                block_id=ids.QUIZ_QUESTION_BLOCK,
                text=MarkdownTextObject(text=f"*Quick check:* {escape_mrkdwn(quiz.question)}"),
            ),
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
            ),
        ]
    right = escape_mrkdwn(quiz.options[quiz.answer])
    if state.quiz_correct:
        verdict = f":white_check_mark: *Right:* {right}."
    else:
        chosen = (
            quiz.options[state.quiz_answer] if 0 <= state.quiz_answer < len(quiz.options) else "?"
        )
        verdict = f":x: *Not quite.* You chose “{escape_mrkdwn(chosen)}”; the answer is “{right}”."
    return [
        SectionBlock(
            block_id=ids.QUIZ_BLOCK,
            text=MarkdownTextObject(
                text=shorten(f"{verdict}\n{escape_mrkdwn(quiz.explanation)}", SECTION_LIMIT)
            ),
        )
    ]


def _feedback_buttons(state: NudgeState, value: str) -> ActionsBlock:
    return ActionsBlock(
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
def concern_modal(
    *, delivery_id: int, lesson_title: str | None, min_reporters: int = 3
) -> dict[str, Any]:
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
        ContextBlock(elements=[MarkdownTextObject(text=concern_protection(min_reporters))]),
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
        text = "*Nudges are on.* You get short lessons when your trainers schedule them."
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
