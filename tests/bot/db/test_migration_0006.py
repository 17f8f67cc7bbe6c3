"""Migration 0006: nudge ratings and quiz answers move from beside the raw Slack id to the
feedback table under the recipient's pseudonym; without the secret key that needs, nothing
changes; a downgrade puts every value back on its delivery."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from bot.db import migrate
from bot.db.session import make_engine
from bot.privacy.pseudonym import reporter_pseudonym

KEY = "a-secret-key-for-migration-tests"
DELIVERY = text(
    "INSERT INTO nudge_deliveries (id, run_id, campaign_id, lesson_id, step, recipient, due_at, "
    "status, attempts, rating, done_at, quiz_answer, quiz_correct, created_at, updated_at) "
    "VALUES (:id, 1, 1, 'lesson-a', 0, :recipient, '2026-01-01 10:00:00', 'sent', 1, :rating, "
    ":done_at, :quiz_answer, :quiz_correct, '2026-01-01 10:00:00', '2026-01-02 10:00:00')"
)
ROWS = [
    {"id": 1, "recipient": "U001", "rating": "helpful", "done_at": "2026-01-02 09:00:00",
     "quiz_answer": 2, "quiz_correct": True},
    {"id": 2, "recipient": "U002", "rating": None, "done_at": None,
     "quiz_answer": 0, "quiz_correct": False},
    {"id": 3, "recipient": "U003", "rating": None, "done_at": None,
     "quiz_answer": None, "quiz_correct": None},
]  # fmt: skip


@pytest.fixture
def no_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """Neither the environment nor a `.env` file says anything."""
    for key in list(os.environ):
        if key.startswith(("SLACK_", "PAINPOINT_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def at_0004_with_feedback(url: str) -> None:
    migrate.upgrade(url, "0004")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO nudge_campaigns (id, lessons, audience, schedule, status, created_by, "
                "created_at, updated_at) VALUES (1, '[]', '[]', '{}', 'active', 'UTRAINER', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO nudge_runs (id, campaign_id, run_key, step, lesson_id, expand_at, "
                "status, recipients, skipped, errors, created_at) VALUES (1, 1, 'r', 0, "
                "'lesson-a', '2026-01-01 10:00:00', 'expanded', 3, 0, '[]', "
                "'2026-01-01 10:00:00')"
            )
        )
        for row in ROWS:
            connection.execute(DELIVERY, row)
    engine.dispose()


def columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_feedback_moves_under_pseudonyms_and_back(
    empty_database: str, no_settings: pytest.MonkeyPatch
) -> None:
    at_0004_with_feedback(empty_database)
    no_settings.setenv("PAINPOINT_SECRET_KEY", KEY)

    migrate.upgrade(empty_database)

    assert not {"rating", "done_at", "quiz_answer", "quiz_correct"} & columns(
        empty_database, "nudge_deliveries"
    )
    engine = make_engine(empty_database)
    try:
        with engine.connect() as connection:
            moved = connection.execute(
                text(
                    "SELECT delivery_id, campaign_id, lesson_id, respondent, rating, quiz_answer, "
                    "quiz_correct, done_at IS NOT NULL FROM nudge_feedback ORDER BY delivery_id"
                )
            ).all()
        assert [tuple(row) for row in moved] == [
            (1, 1, "lesson-a", reporter_pseudonym(KEY, "T0", "U001"), "helpful", 2, True, True),
            (2, 1, "lesson-a", reporter_pseudonym(KEY, "T0", "U002"), None, 0, False, False),
        ]
        assert not any("U00" in str(value) for row in moved for value in row)

        migrate.downgrade(empty_database, "0004")
        with engine.connect() as connection:
            back = connection.execute(
                text(
                    "SELECT id, rating, quiz_answer, quiz_correct, done_at IS NOT NULL "
                    "FROM nudge_deliveries ORDER BY id"
                )
            ).all()
        assert [tuple(row) for row in back] == [
            (1, "helpful", 2, True, True),
            (2, None, 0, False, False),
            (3, None, None, None, False),
        ]
    finally:
        engine.dispose()


def test_without_the_secret_key_feedback_is_not_moved_and_nothing_changes(
    empty_database: str, no_settings: pytest.MonkeyPatch
) -> None:
    at_0004_with_feedback(empty_database)

    with pytest.raises(RuntimeError, match="needs PAINPOINT_SECRET_KEY"):
        migrate.upgrade(empty_database, "0006")

    assert "0006" not in migrate.current_revisions(empty_database)
    assert "rating" in columns(empty_database, "nudge_deliveries")
    assert "nudge_feedback" not in set(inspect(make_engine(empty_database)).get_table_names())


def test_a_database_without_feedback_needs_no_key(
    empty_database: str, no_settings: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(empty_database)
    engine = make_engine(empty_database)
    try:
        assert migrate.is_up_to_date(engine)  # 0006 and everything after it ran
    finally:
        engine.dispose()
