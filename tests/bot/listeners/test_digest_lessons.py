"""Closing the loop: digests suggest matching lessons and send one to a theme's opted-in reporters."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
import pytest
from slack_bolt import App
from sqlalchemy import update

from bot.app import build_deps
from bot.blocks.ids import SEND_SUGGESTED_LESSON
from bot.db.models import Theme
from bot.db.session import SessionFactory
from bot.deps import Deps
from bot.services.embeddings import to_bytes
from bot.services.suggestions import LessonSuggester
from bot.settings import Settings
from bot.slack.client import make_client
from tests.bot.reporting.factories import seed_theme
from tests.conftest import AppMaker
from tests.slack_requests import Sender, block_action
from tests.slack_stand_in import SlackStandIn


class WordHashEmbedder:
    """Deterministic bag-of-words vectors: texts sharing words point the same way."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), 256), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]{4,}", text.lower()):
                vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 256] += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


@pytest.fixture
def wired(
    settings: Settings, session_factory: SessionFactory, make_app: AppMaker
) -> tuple[Deps, App, Sender]:
    client = make_client(settings)
    deps = build_deps(settings, client=client, session_factory=session_factory)
    assert deps.nudges is not None
    deps.suggester = LessonSuggester(
        session_factory, deps.nudges.library, WordHashEmbedder, min_similarity=0.1
    )
    app = make_app(settings, client=client, deps=deps)
    return deps, app, Sender(app)


def _meeting_theme(session_factory: SessionFactory) -> int:
    seeded = seed_theme(
        session_factory,
        "Meeting notes and follow-ups",
        reporters=4,
        keep_posted={"meetingnotesandfollo-r0": "UKEEN1"},
    )
    centre = WordHashEmbedder().embed(
        ["meeting notes follow-ups summary action items after meetings"]
    )[0]
    with session_factory() as session, session.begin():
        session.execute(
            update(Theme)
            .where(Theme.id == seeded.theme_id)
            .values(centroid=to_bytes(centre), reporters=4)
        )
    return seeded.theme_id


def test_digest_suggests_the_matching_lesson_and_one_click_schedules_it(
    wired: tuple[Deps, App, Sender], session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    deps, _app, sender = wired
    theme_id = _meeting_theme(session_factory)
    suggestions = deps.suggester.for_themes([theme_id]) if deps.suggester else {}
    assert suggestions[theme_id][0].lesson_id == "meeting-notes"

    sender.command("digest 30d", user="UMANAGER", response_url=stand_in.response_url())
    reply = stand_in.wait_for("response_url")[0].params
    text = str(reply.get("blocks"))
    assert "Suggested lesson: Meeting notes and follow-ups" in text
    assert SEND_SUGGESTED_LESSON in text

    stand_in.reset()
    sender.interactive(
        block_action(
            SEND_SUGGESTED_LESSON,
            f"{theme_id}:meeting-notes",
            user="UMANAGER",
            response_url=stand_in.response_url(),
        )
    )
    answer = stand_in.wait_for("response_url")[0].params
    assert "Scheduled nudge campaign" in answer["text"]
    assert deps.nudges is not None
    campaigns = deps.nudges.list_campaigns()
    assert [(c.lesson_id, c.audience) for c in campaigns] == [
        ("meeting-notes", (f"theme:{theme_id}",))
    ]


def test_people_who_are_neither_managers_nor_trainers_cannot_send_lessons(
    wired: tuple[Deps, App, Sender], session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    deps, _app, sender = wired
    theme_id = _meeting_theme(session_factory)
    sender.interactive(
        block_action(
            SEND_SUGGESTED_LESSON,
            f"{theme_id}:meeting-notes",
            user="UNOBODY",
            response_url=stand_in.response_url(),
        )
    )
    answer = stand_in.wait_for("response_url")[0].params
    assert "for trainers" in answer["text"]
    assert deps.nudges is not None and deps.nudges.list_campaigns() == []


def test_nudge_modal_suggests_lessons_for_themes_and_sends_from_the_modal(
    wired: tuple[Deps, App, Sender], session_factory: SessionFactory, stand_in: SlackStandIn
) -> None:
    deps, _app, sender = wired
    theme_id = _meeting_theme(session_factory)
    sender.command("", command="/nudge", user="UTRAINER", response_url=stand_in.response_url())
    update = stand_in.wait_for("views.update")[0].params
    assert "Suggested for theme Meeting notes and follow-ups" in str(update["view"])

    stand_in.reset()
    action = block_action(SEND_SUGGESTED_LESSON, f"{theme_id}:meeting-notes", user="UTRAINER")
    del action["response_url"]
    action["container"] = {"type": "view", "view_id": "V1"}
    sender.interactive(action)
    dm = stand_in.wait_for("chat.postMessage")[0].params
    assert dm["channel"] == "UTRAINER" and "Scheduled nudge campaign" in dm["text"]
    assert deps.nudges is not None
    assert [c.lesson_id for c in deps.nudges.list_campaigns()] == ["meeting-notes"]
