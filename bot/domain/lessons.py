"""Lessons (Markdown with YAML front matter) and tracks (YAML): loading and validation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "training_content"
LEVELS = ("basic", "intermediate")
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
LESSON_FIELDS = {"id", "title", "summary", "minutes", "level", "tags", "quiz", "link"}
REQUIRED_LESSON_FIELDS = ("id", "title", "summary", "minutes", "level", "tags")
QUIZ_FIELDS = {"question", "options", "answer", "explanation"}
TRACK_FIELDS = {"id", "title", "description", "spacing_days", "lessons"}
MAX_QUIZ_OPTIONS = 5
MAX_SUMMARY = 300
MAX_MINUTES = 15
MAX_SPACING_DAYS = 60


@dataclass(frozen=True)
class Quiz:
    """A multiple-choice question; `answer` is the index of the right option."""

    question: str
    options: tuple[str, ...]
    answer: int
    explanation: str


@dataclass(frozen=True)
class Lesson:
    """One lesson: front matter fields plus its Slack-mrkdwn body."""

    id: str
    title: str
    summary: str
    minutes: int
    level: str
    tags: tuple[str, ...]
    body: str
    quiz: Quiz | None = None
    link: str | None = None
    path: str = ""


@dataclass(frozen=True)
class Track:
    """A named sequence of lessons sent `spacing_days` apart."""

    id: str
    title: str
    lessons: tuple[str, ...]
    spacing_days: int
    description: str = ""
    path: str = ""


@dataclass(frozen=True)
class Problem:
    """One validation error, located by file and field."""

    path: str
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}" if self.field else self.path
        return f"{where}: {self.message}"


@dataclass
class Library:
    """The valid lessons and tracks of a content directory, and what was wrong with the rest."""

    lessons: dict[str, Lesson] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def lesson(self, lesson_id: str) -> Lesson | None:
        """The lesson with this id, or None."""
        return self.lessons.get(lesson_id)

    def track(self, track_id: str) -> Track | None:
        """The track with this id, or None."""
        return self.tracks.get(track_id)


class _Collector:
    """Accumulates problems for one file, so one bad field does not hide the others."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(self.path, field_name, message))

    def text(self, data: Mapping[str, Any], name: str, *, limit: int, required: bool = True) -> str:
        value = data.get(name)
        if value is None:
            if required:
                self.add(name, "is required")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(name, "must be non-empty text")
            return ""
        if len(value.strip()) > limit:
            self.add(name, f"is {len(value.strip())} characters; at most {limit} fit")
        return value.strip()

    def unknown(self, data: Mapping[str, Any], allowed: set[str], prefix: str = "") -> None:
        for key in sorted(set(map(str, data)) - allowed):
            self.add(prefix + key, "is not a known field (typo?)")


def split_front_matter(source: str) -> tuple[str, str]:
    """Split `---`-delimited YAML front matter from the body; ValueError when it is missing."""
    text = source.lstrip("\ufeff")
    if not text.startswith("---"):
        raise ValueError("does not start with a '---' front matter block")
    match = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, flags=re.S)
    if match is None:
        raise ValueError("front matter is not closed by a '---' line")
    return match.group(1), text[match.end() :]


def parse_lesson(path: Path) -> tuple[Lesson | None, list[Problem]]:
    """Read one lesson file; returns the lesson (None if invalid) and its problems."""
    name = str(path)
    read = _read_front_matter(path)
    if isinstance(read, Problem):
        return None, [read]
    data, body = read
    check = _Collector(name)
    check.unknown(data, LESSON_FIELDS)
    for required in REQUIRED_LESSON_FIELDS:
        if data.get(required) is None:
            check.add(required, "is required")

    lesson_id = data.get("id")
    if lesson_id is not None and (
        not isinstance(lesson_id, str) or not ID_PATTERN.fullmatch(lesson_id)
    ):
        check.add("id", "must be lower-case letters, digits and dashes (at most 63)")
    title = check.text(data, "title", limit=150, required=False)
    summary = check.text(data, "summary", limit=MAX_SUMMARY, required=False)
    _check_details(data, check)
    quiz = _parse_quiz(data.get("quiz"), check) if "quiz" in data else None
    if not body.strip():
        check.add("body", "is empty: write the lesson below the front matter")
    if check.problems:
        return None, check.problems
    return (
        Lesson(
            id=str(lesson_id),
            title=title,
            summary=summary,
            minutes=int(cast(int, data.get("minutes"))),
            level=str(data.get("level")),
            tags=tuple(str(t).strip() for t in cast(list[str], data.get("tags"))),
            body=body.strip(),
            quiz=quiz,
            link=data.get("link"),
            path=name,
        ),
        [],
    )


def _read_front_matter(path: Path) -> tuple[dict[Any, Any], str] | Problem:
    """A lesson file's front matter fields and its body, or the one problem that stops it."""
    name = str(path)
    try:
        header, body = split_front_matter(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return Problem(name, None, f"cannot be read: {exc}")
    except ValueError as exc:
        return Problem(name, None, str(exc))
    try:
        data = yaml.safe_load(header)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (front matter line {mark.line + 1})" if mark is not None else ""
        return Problem(name, None, f"front matter is not valid YAML{where}")
    if not isinstance(data, dict):
        return Problem(name, None, "front matter must be a mapping of fields")
    return data, body


def _check_details(data: Mapping[str, Any], check: _Collector) -> None:
    """Minutes, level, tags and link, each optional here (required ones are checked first)."""
    minutes = data.get("minutes")
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            check.add("minutes", "must be a whole number of minutes")
        elif not 1 <= minutes <= MAX_MINUTES:
            check.add("minutes", f"must be between 1 and {MAX_MINUTES}")
    level = data.get("level")
    if level is not None and level not in LEVELS:
        check.add("level", f"must be one of {', '.join(LEVELS)}")
    tags = data.get("tags")
    if tags is not None and (
        not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags)
    ):
        check.add("tags", "must be a list of words, e.g. [basics, privacy]")
    link = data.get("link")
    if link is not None and (not isinstance(link, str) or not re.match(r"https?://\S+$", link)):
        check.add("link", "must be an http(s) URL")


def _parse_quiz(raw: object, check: _Collector) -> Quiz | None:
    if not isinstance(raw, dict):
        check.add("quiz", "must be a mapping with question, options, answer, explanation")
        return None
    check.unknown(raw, QUIZ_FIELDS, prefix="quiz.")
    before = len(check.problems)
    question = check.text(raw, "question", limit=2000)
    explanation = check.text(raw, "explanation", limit=2000)
    if before != len(check.problems):
        # Re-label the collector's plain field names as quiz fields.
        check.problems[before:] = [
            Problem(p.path, f"quiz.{p.field}", p.message) for p in check.problems[before:]
        ]
    options = raw.get("options")
    if (
        not isinstance(options, list)
        or not 2 <= len(options) <= MAX_QUIZ_OPTIONS
        or not all(isinstance(o, str) and o.strip() for o in options)
    ):
        check.add("quiz.options", f"must be a list of 2 to {MAX_QUIZ_OPTIONS} non-empty answers")
        options = []
    for number, option in enumerate(options, start=1):
        if len(option.strip()) > 75:
            check.add(
                "quiz.options",
                f"option {number} is {len(option.strip())} characters; a button holds 75",
            )
    answer = raw.get("answer")
    if isinstance(answer, bool) or not isinstance(answer, int):
        check.add("quiz.answer", "must be the index (0-based) of the right option")
        answer = -1
    elif options and not 0 <= answer < len(options):
        check.add("quiz.answer", f"is {answer}, but there are only {len(options)} options")
    if len(check.problems) > before:
        return None
    return Quiz(
        question=question,
        options=tuple(o.strip() for o in options),
        answer=int(answer),
        explanation=explanation,
    )


def parse_track(path: Path) -> tuple[Track | None, list[Problem]]:
    """Read one track file; returns the track (None if invalid) and its problems."""
    name = str(path)
    check = _Collector(name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, None, f"cannot be read: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        return None, [Problem(name, None, f"is not valid YAML{where}")]
    if not isinstance(data, dict):
        return None, [Problem(name, None, "must be a mapping of fields")]
    check.unknown(data, TRACK_FIELDS)
    track_id = data.get("id")
    if not isinstance(track_id, str) or not ID_PATTERN.fullmatch(track_id):
        check.add("id", "must be lower-case letters, digits and dashes (at most 63)")
        track_id = ""
    title = check.text(data, "title", limit=150)
    description = check.text(data, "description", limit=2000, required=False)
    spacing = data.get("spacing_days")
    if isinstance(spacing, bool) or not isinstance(spacing, int):
        check.add("spacing_days", "must be a whole number of days")
        spacing = 0
    elif not 1 <= spacing <= MAX_SPACING_DAYS:
        check.add("spacing_days", f"must be between 1 and {MAX_SPACING_DAYS}")
    lessons = data.get("lessons")
    if (
        not isinstance(lessons, list)
        or not lessons
        or not all(isinstance(item, str) for item in lessons)
    ):
        check.add("lessons", "must be a non-empty list of lesson ids")
        lessons = []
    elif len(set(lessons)) != len(lessons):
        check.add("lessons", "lists a lesson twice")
    if check.problems:
        return None, check.problems
    return (
        Track(
            id=str(track_id),
            title=title,
            lessons=tuple(lessons),
            spacing_days=int(spacing),
            description=description,
            path=name,
        ),
        [],
    )


LessonCheck = Callable[[Lesson], list[Problem]]


def load_library(
    directory: Path | str | None = None, *, check: LessonCheck | None = None
) -> Library:
    """Load `lessons/*.md` and `tracks/*.yaml` under `directory`; invalid files are left out.

    `check` adds problems found in a parsed lesson (the app passes one that builds the real
    Slack message, so a lesson Slack would refuse never enters the library).
    """
    root = Path(directory) if directory is not None else DEFAULT_CONTENT_DIR
    library = Library()
    if not root.is_dir():
        library.problems.append(Problem(str(root), None, "is not a directory"))
        return library
    lesson_dir, track_dir = root / "lessons", root / "tracks"
    if not lesson_dir.is_dir():
        library.problems.append(Problem(str(lesson_dir), None, "is missing"))
    seen_lessons: dict[str, str] = {}
    for path in sorted(lesson_dir.glob("*.md")) if lesson_dir.is_dir() else []:
        lesson, problems = parse_lesson(path)
        if lesson is not None and check is not None:
            problems = check(lesson)
        library.problems.extend(problems)
        if lesson is None or problems:
            continue
        if lesson.id in seen_lessons:
            library.problems.append(
                Problem(str(path), "id", f"{lesson.id!r} is also used by {seen_lessons[lesson.id]}")
            )
            continue
        seen_lessons[lesson.id] = str(path)
        library.lessons[lesson.id] = lesson
    track_paths: Iterable[Path] = []
    if track_dir.is_dir():
        track_paths = sorted([*track_dir.glob("*.yaml"), *track_dir.glob("*.yml")])
    for path in track_paths:
        track, problems = parse_track(path)
        library.problems.extend(problems)
        if track is None:
            continue
        if track.id in library.tracks:
            other = library.tracks[track.id].path
            library.problems.append(
                Problem(str(path), "id", f"{track.id!r} is also used by {other}")
            )
            continue
        unknown = [lesson_id for lesson_id in track.lessons if lesson_id not in seen_lessons]
        if unknown:
            library.problems.append(
                Problem(
                    str(path), "lessons", "unknown or invalid lesson ids: " + ", ".join(unknown)
                )
            )
            continue
        library.tracks[track.id] = track
    return library
