"""Bulk import of survey exports and export of stored pain points."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tqdm import tqdm

from bot.db.models import PainPoint
from bot.db.session import SessionFactory
from bot.domain.capture import (
    CATEGORIES,
    FREQUENCIES,
    MAX_HOURS_PER_WEEK,
    normalise_for_dedupe,
    text_fingerprint,
)
from bot.privacy.pseudonym import reporter_pseudonym
from bot.privacy.scrub import scrub

EXPORT_FIELDS = (
    "id",
    "text",
    "details",
    "source",
    "category",
    "frequency",
    "hours_per_week",
    "team",
    "reporter",
    "created_at",
)
OPTIONAL_IMPORT_COLUMNS = ("category", "frequency", "hours_per_week", "team", "created_at")
BATCH_SIZE = 500


class ImportFileError(Exception):
    """The file cannot be imported; the message says why in one line."""


@dataclass(frozen=True)
class ImportRow:
    """One row to import, before scrubbing."""

    text: str
    reporter: str | None
    category: str | None = None
    frequency: str | None = None
    hours_per_week: float | None = None
    team: str | None = None
    created_at: datetime | None = None


@dataclass
class ImportReport:
    """How many rows were stored and why the others were not."""

    imported: int = 0
    duplicates: int = 0
    empty: int = 0
    too_long: int = 0
    invalid_fields: int = 0
    ids: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """Rows that stored nothing."""
        return self.duplicates + self.empty + self.too_long


def read_import_csv(
    path: Path, *, text_column: str, reporter_column: str | None = None
) -> list[ImportRow]:
    """Parse a survey export; recognised optional columns are used when valid."""
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
    try:
        # strict: an unbalanced quote is an error, not the rest of the file glued into one row.
        reader = csv.DictReader(io.StringIO(content, newline=""), strict=True)
        header = reader.fieldnames or []
        if not header:
            raise ImportFileError(f"{path} is empty: it has no header row")
        for column in (text_column, reporter_column):
            if column is not None and column not in header:
                raise ImportFileError(
                    f"column {column!r} is not in {path.name}; its columns are: "
                    + ", ".join(repr(name) for name in header)
                )
        rows = []
        for line in reader:
            if None in line:
                raise ImportFileError(
                    f"{path.name} line {reader.line_num}: more fields than the header has"
                )
            rows.append(_import_row(line, text_column, reporter_column))
    except csv.Error as exc:
        raise ImportFileError(f"{path.name} is not a valid CSV: {exc}") from None
    return rows


def _import_row(line: dict[str, Any], text_column: str, reporter_column: str | None) -> ImportRow:
    def get(name: str) -> str | None:
        value = line.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    category = get("category")
    frequency = get("frequency")
    hours = _hours(get("hours_per_week"))
    return ImportRow(
        text=line.get(text_column) or "",
        reporter=get(reporter_column) if reporter_column else None,
        category=category if category in CATEGORIES else None,
        frequency=frequency.lower() if frequency and frequency.lower() in FREQUENCIES else None,
        hours_per_week=hours,
        team=get("team"),
        created_at=_timestamp(get("created_at")),
    )


def _hours(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        hours = float(value.replace(",", "."))
    except ValueError:
        return None
    return hours if 0 <= hours <= MAX_HOURS_PER_WEEK else None


def _timestamp(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def anonymous_pseudonym(secret_key: str, source_name: str, row_number: int, text: str) -> str:
    """A reporter for a row without one: distinct per row, stable if the file is re-imported."""
    message = f"anon:{source_name}:{row_number}:{normalise_for_dedupe(text)}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def import_painpoints(
    session_factory: SessionFactory,
    rows: Sequence[ImportRow],
    *,
    secret_key: str,
    source_name: str,
    max_text_length: int = 4000,
    progress: bool = False,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ImportReport:
    """Scrub, pseudonymise and store rows; the same reporter's same text is stored once."""
    report = ImportReport()
    now = clock()
    with session_factory() as session:
        seen = {
            (reporter, text_hash)
            for reporter, text_hash in session.execute(
                select(PainPoint.reporter, PainPoint.text_hash)
            )
        }
    pending: list[PainPoint] = []
    bar = tqdm(total=len(rows), desc="Importing", unit="row", disable=not progress)
    for number, row in enumerate(rows, start=1):
        bar.update(1)
        if not row.text.strip():
            report.empty += 1
            continue
        if len(row.text) > max_text_length:
            report.too_long += 1
            continue
        text = scrub(row.text.strip())
        if row.reporter:
            reporter = reporter_pseudonym(secret_key, f"import:{source_name}", row.reporter)
        else:
            reporter = anonymous_pseudonym(secret_key, source_name, number, text)
        fingerprint = text_fingerprint(text)
        if (reporter, fingerprint) in seen:
            report.duplicates += 1
            continue
        seen.add((reporter, fingerprint))
        created = row.created_at or now
        pending.append(
            PainPoint(
                text=text,
                text_hash=fingerprint,
                source="import",
                category=row.category,
                frequency=row.frequency,
                hours_per_week=row.hours_per_week,
                team=scrub(row.team)[:80] if row.team else None,
                reporter=reporter,
                keep_posted=False,
                created_at=created,
                updated_at=now,
            )
        )
        if len(pending) >= BATCH_SIZE:
            report.ids += _flush(session_factory, pending)
            pending = []
    report.ids += _flush(session_factory, pending)
    bar.close()
    report.imported = len(report.ids)
    return report


def _flush(session_factory: SessionFactory, rows: list[PainPoint]) -> list[int]:
    if not rows:
        return []
    with session_factory() as session, session.begin():
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def painpoint_records(session_factory: SessionFactory) -> Iterator[dict[str, Any]]:
    """Every pain point as a plain dict with the export fields (never a Slack user id)."""
    with session_factory() as session:
        # Rows still sealed for the full scrub are not exported until they are clean.
        clean = select(PainPoint).where(PainPoint.pending_scrub.is_(False))
        rows = session.scalars(clean.order_by(PainPoint.id)).yield_per(1000)
        for row in rows:
            created = (
                row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
            )
            yield {
                "id": row.id,
                "text": row.text,
                "details": row.details,
                "source": row.source,
                "category": row.category,
                "frequency": row.frequency,
                "hours_per_week": row.hours_per_week,
                "team": row.team,
                "reporter": row.reporter,
                "created_at": created.isoformat(),
            }


def write_records(
    records: Iterable[dict[str, Any]], fields: Sequence[str], fmt: str, out: io.TextIOBase | Any
) -> int:
    """Write records as JSON (a list) or CSV; returns how many were written."""
    count = 0
    if fmt == "json":
        out.write("[")
        for record in records:
            out.write(("," if count else "") + "\n  " + json.dumps(record, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
        return count
    writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow(
            {
                key: json.dumps(value) if isinstance(value, list | dict) else value
                for key, value in record.items()
            }
        )
        count += 1
    return count
