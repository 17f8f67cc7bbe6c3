"""Reading a survey export: the CSV itself, and each optional value converted or noted.

Nothing is changed silently. A value that cannot be read is kept out of the row and noted
with its column and row, so the import can say per column what happened ("3 dates not
understood: rows 4, 9, 12; those rows were not imported").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain.capture import CATEGORIES, FREQUENCIES, MAX_HOURS_PER_WEEK

# Categories retired for the audit's lenses, still found in older survey exports.
from bot.domain.lenses import LEGACY_CATEGORIES

# A cell may be as large as the file: oversized cells are skipped row by row, never by
# refusing the whole file (Python's default limit is 128 KiB).
csv.field_size_limit(2**31 - 1)
OPTIONAL_IMPORT_COLUMNS = ("category", "frequency", "hours_per_week", "team", "created_at")
TEAM_LENGTH = 80
FUTURE_SLACK = timedelta(days=1)


class ImportFileError(Exception):
    """The file cannot be imported; the message says why in one line."""


@dataclass(frozen=True)
class Note:
    """Something about one value of one row: what it was, and whether the row is skipped."""

    column: str
    kind: str  # a key of NOTE_KINDS
    skip_row: bool = False


# kind → (how it reads in the summary, what was done)
NOTE_KINDS: dict[str, tuple[str, str]] = {
    "date": ("dates not understood", "those rows were not imported; fix them and import again"),
    "future": ("dates in the future", "those rows were not imported; fix them and import again"),
    "no_zone": ("dates without a time zone", "read as UTC"),
    "category": ("categories not recognised", "stored without a category"),
    "frequency": ("frequencies not recognised", "stored without a frequency"),
    "hours": ("hours not a number from 0 to 80", "stored without hours"),
    "too_long": ("cells over the length limit", "those rows were not imported"),
}


@dataclass(frozen=True)
class ImportRow:
    """One row to import, before scrubbing; `line` is its spreadsheet row (header = 1)."""

    text: str
    reporter: str | None
    category: str | None = None
    frequency: str | None = None
    hours_per_week: float | None = None
    team: str | None = None
    created_at: datetime | None = None
    line: int = 0
    notes: tuple[Note, ...] = field(default=(), compare=False)
    # Everything the row said, for recognising the same anonymous row again (any file name).
    content: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Columns:
    """Which columns of the file hold what."""

    text: str
    reporter: str | None = None
    created_at: str | None = None

    def required(self) -> list[str]:
        """Columns the user named: each must be in the file."""
        return [c for c in (self.text, self.reporter, self.created_at) if c is not None]


def normalise_label(text: str) -> str:
    words = re.sub(r"[\s_\-/]+", " ", text.casefold()).strip().split()
    return " ".join(word[:-1] if len(word) > 3 and word.endswith("s") else word for word in words)


def label_lookup(
    mapping: Mapping[str, str], aliases: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every way a value is shown in the product (its key and its label, any letter case,
    singular or plural; and retired keys in `aliases`) → the stored key. Look values up
    with `normalise_label(value)`."""
    lookup: dict[str, str] = {}
    for old, key in (aliases or {}).items():
        if key in mapping:
            lookup[normalise_label(old)] = key
    for key, label in mapping.items():
        lookup[normalise_label(key)] = key
        lookup[normalise_label(label)] = key
    return lookup


def parse_moment(value: str, *, now: datetime) -> tuple[datetime | None, str | None]:
    """ISO 8601 (a date, or a date and time with or without an offset) → aware UTC.

    Returns (moment, note kind): no offset reads as UTC and is noted; an unreadable value
    or one more than a day ahead gives no moment.
    """
    cleaned = value.strip()
    if cleaned[-1:] in ("Z", "z"):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None, "date"
    kind = None
    if moment.tzinfo is None:
        kind = None if len(cleaned) <= 10 else "no_zone"  # a bare date needs no zone
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment > now + FUTURE_SLACK:
        return None, "future"
    return moment, kind


def read_import_csv(
    path: Path,
    *,
    text_column: str,
    reporter_column: str | None = None,
    created_at_column: str | None = None,
    max_cell_length: int = 4000,
    now: datetime | None = None,
) -> list[ImportRow]:
    """Parse a survey export; optional columns are converted, and what could not be is noted."""
    content = _decoded(path)
    columns = Columns(text_column, reporter_column, created_at_column)
    try:
        # strict: an unbalanced quote is an error, not the rest of the file glued into one row.
        reader = csv.DictReader(io.StringIO(content, newline=""), strict=True)
        header = reader.fieldnames or []
        if not header:
            raise ImportFileError(f"{path} is empty: it has no header row")
        for column in columns.required():
            if column not in header:
                raise ImportFileError(
                    f"column {column!r} is not in {path.name}; its columns are: "
                    + ", ".join(repr(name) for name in header)
                )
        converter = RowConverter(columns, list(header), max_cell_length, now or datetime.now(UTC))
        rows = []
        for number, line in enumerate(reader, start=2):
            if None in line:
                raise ImportFileError(
                    f"{path.name} line {reader.line_num}: more fields than the header has"
                )
            rows.append(converter.convert(line, number))
    except csv.Error as exc:
        raise ImportFileError(f"{path.name} is not a valid CSV: {exc}") from None
    if not rows:
        raise ImportFileError(f"{path.name} has a header but no rows")
    return rows


def _decoded(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(f"{path} is not UTF-8 text; save it as UTF-8 CSV") from None
    if "\x00" in content:
        raise ImportFileError(f"{path} looks like a binary file, not a CSV")
    if not content.strip():
        raise ImportFileError(f"{path} is empty: it has no header row")
    return content


class RowConverter:
    """Turns one CSV record into an ImportRow, noting every value it could not use."""

    def __init__(
        self, columns: Columns, header: list[str], max_cell_length: int, now: datetime
    ) -> None:
        self.columns = columns
        self.header = header
        self.max_cell_length = max_cell_length
        self.now = now
        self.date_column = columns.created_at or ("created_at" if "created_at" in header else None)
        self.categories = label_lookup(CATEGORIES, LEGACY_CATEGORIES)
        self.frequencies = label_lookup(FREQUENCIES)

    def convert(self, line: dict[str, Any], number: int) -> ImportRow:
        """The row at spreadsheet row `number`."""
        notes: list[Note] = []

        def get(name: str | None) -> str | None:
            value = line.get(name) if name else None
            return value.strip() if isinstance(value, str) and value.strip() else None

        oversized = [c for c in self.header if len(line.get(c) or "") > self.max_cell_length]
        notes += [Note(column, "too_long", skip_row=True) for column in oversized]
        created_at = self._moment(get(self.date_column), notes)
        category = self._label(get("category"), self.categories, "category", notes)
        frequency = self._label(get("frequency"), self.frequencies, "frequency", notes)
        team = get("team")
        return ImportRow(
            text=line.get(self.columns.text) or "",
            reporter=get(self.columns.reporter),
            category=category,
            frequency=frequency,
            hours_per_week=self._hours(get("hours_per_week"), notes),
            team=team[:TEAM_LENGTH] if team else None,
            created_at=created_at,
            line=number,
            notes=tuple(notes),
            content=tuple(" ".join((line.get(c) or "").split()) for c in self.header),
        )

    def _moment(self, value: str | None, notes: list[Note]) -> datetime | None:
        if value is None or self.date_column is None:
            return None
        moment, kind = parse_moment(value, now=self.now)
        if kind is not None:
            notes.append(Note(self.date_column, kind, skip_row=moment is None))
        return moment

    @staticmethod
    def _label(
        value: str | None, lookup: dict[str, str], column: str, notes: list[Note]
    ) -> str | None:
        if value is None:
            return None
        key = lookup.get(normalise_label(value))
        if key is None:
            notes.append(Note(column, column))
        return key

    @staticmethod
    def _hours(value: str | None, notes: list[Note]) -> float | None:
        if value is None:
            return None
        try:
            hours = float(value.replace(",", "."))
        except ValueError:
            hours = -1.0
        if 0 <= hours <= MAX_HOURS_PER_WEEK:
            return hours
        notes.append(Note("hours_per_week", "hours"))
        return None
