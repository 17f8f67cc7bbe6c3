"""Lessons and tracks: the shipped library loads cleanly; a broken directory is reported fully."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks.nudge import nudge_message, slack_problems
from bot.cli.nudges import cmd_lessons
from bot.domain.lessons import load_library, parse_lesson, split_front_matter
from bot.settings import Settings

BROKEN = Path(__file__).parent / "fixtures" / "broken"


def problems_by_file(directory: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in load_library(directory, check=slack_problems).problems:
        found.setdefault(Path(problem.path).name, []).append(f"{problem.field}: {problem.message}")
    return found


def test_the_shipped_library_is_valid_and_big_enough() -> None:
    library = load_library(check=slack_problems)
    assert library.problems == []
    assert len(library.lessons) >= 15
    assert len(library.tracks) >= 2
    for track in library.tracks.values():
        assert all(lesson_id in library.lessons for lesson_id in track.lessons)
    for lesson in library.lessons.values():
        # About two minutes of reading: a few hundred words, not an essay.
        assert 150 <= len(lesson.body.split()) <= 500, lesson.id


def test_every_shipped_lesson_builds_a_valid_nudge() -> None:
    for lesson in load_library(check=slack_problems).lessons.values():
        text, blocks = nudge_message(lesson, delivery_id=12345)
        assert lesson.title in text
        assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == lesson.title
        assert Block.parse(blocks[0]).to_dict() == blocks[0]  # type: ignore[union-attr]
        action_ids = [
            element["action_id"]
            for block in blocks
            if block["type"] == "actions"
            for element in block["elements"]
        ]
        assert {"nudge_feedback_helpful", "nudge_feedback_done", "nudge_pause"} <= set(action_ids)


def test_a_broken_directory_reports_each_problem_with_file_and_field() -> None:
    found = problems_by_file(BROKEN)
    assert "01-fine.md" not in found
    schema = found["02-schema.md"]
    for expected in (
        "quizz: is not a known field",
        "id: must be lower-case",
        "title: must be non-empty",
        "minutes: must be a whole number",
        "level: must be one of basic, intermediate",
        "tags: must be a list",
        "quiz.options: must be a list of 2 to 5",
    ):
        assert any(line.startswith(expected) for line in schema), expected
    assert found["03-duplicate.md"] == [
        f"id: 'fine' is also used by {BROKEN / 'lessons' / '01-fine.md'}"
    ]
    assert found["04-no-front-matter.md"] == [
        "None: does not start with a '---' front matter block"
    ]
    assert "not valid YAML" in found["05-bad-yaml.md"][0]
    assert found["06-overflow.md"] == [
        "body: does not fit in a Slack message: text attribute cannot exceed 3000 characters"
    ]
    assert found["07-long-option.md"] == [
        "quiz.options: option 2 is 79 characters; a button holds 75"
    ]
    assert "unknown or invalid lesson ids: does-not-exist" in found["unknown.yaml"][0]
    assert any(line.startswith("spacing_days") for line in found["bad.yaml"])
    assert any(line.startswith("lessons") for line in found["bad.yaml"])
    library = load_library(BROKEN, check=slack_problems)
    assert set(library.lessons) == {"fine"} and set(library.tracks) == {"fine-track"}


def test_validate_command_exits_1_on_problems_and_0_when_clean(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import argparse

    settings = Settings(PAINPOINT_SECRET_KEY="x" * 20)  # type: ignore[call-arg]
    assert cmd_lessons(argparse.Namespace(action="validate", dir=str(BROKEN)), settings) == 1
    out = capsys.readouterr().out
    assert "02-schema.md: level: must be one of basic, intermediate" in out
    assert "15 problems" in out
    assert cmd_lessons(argparse.Namespace(action="validate", dir=None), settings) == 0
    assert "ok: 20 lessons and 4 tracks" in capsys.readouterr().out


def test_front_matter_parsing(tmp_path: Path) -> None:
    header, body = split_front_matter("---\nid: x\n---\nHello\n")
    assert header == "id: x" and body == "Hello\n"
    with pytest.raises(ValueError, match="not closed"):
        split_front_matter("---\nid: x\nHello\n")
    path = tmp_path / "lesson.md"
    path.write_text(
        "---\nid: with-quiz\ntitle: T\nsummary: S\nminutes: 2\nlevel: basic\ntags: [a]\n"
        "link: https://example.com/more\n"
        "quiz:\n  question: Q?\n  options: [A, B]\n  answer: 1\n  explanation: Because.\n"
        "---\nBody text.\n",
        encoding="utf-8",
    )
    lesson, problems = parse_lesson(path)
    assert problems == []
    assert lesson is not None and lesson.quiz is not None
    assert lesson.quiz.options == ("A", "B") and lesson.quiz.answer == 1
    assert lesson.link == "https://example.com/more"


def test_quiz_answer_out_of_range_and_missing_fields(tmp_path: Path) -> None:
    path = tmp_path / "lesson.md"
    path.write_text(
        "---\nid: q\ntitle: T\nsummary: S\nminutes: 2\nlevel: basic\n"
        "quiz:\n  question: Q?\n  options: [A, B]\n  answer: 2\n---\nBody.\n",
        encoding="utf-8",
    )
    _, problems = parse_lesson(path)
    messages = {f"{p.field}: {p.message}" for p in problems}
    assert "tags: is required" in messages
    assert "quiz.explanation: is required" in messages
    assert "quiz.answer: is 2, but there are only 2 options" in messages
