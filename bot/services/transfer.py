"""Bulk import of survey exports and export of stored pain points.

Re-importing the same rows, under any file name, adds nothing: a named reporter's pseudonym
depends only on the reporter, an anonymous row's only on what the row says, and the same
reporter's same text is stored once.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from tqdm import tqdm

from bot.db.models import PainPoint
from bot.db.session import SessionFactory
from bot.domain.capture import normalise_for_dedupe, text_fingerprint
from bot.privacy.pseudonym import reporter_pseudonym
from bot.privacy.scrub import scrub
from bot.services.import_csv import (
    NOTE_KINDS,
    OPTIONAL_IMPORT_COLUMNS,
    ImportFileError,
    ImportRow,
    read_import_csv,
)

__all__ = [
    "BATCH_SIZE",
    "EXPORT_FIELDS",
    "NOTE_KINDS",
    "OPTIONAL_IMPORT_COLUMNS",
    "ImportFileError",
    "ImportReport",
    "ImportRow",
    "anonymous_pseudonym",
    "import_painpoints",
    "neutralise_formula",
    "painpoint_records",
    "read_import_csv",
    "write_records",
]

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
BATCH_SIZE = 500
IMPORT_NAMESPACE = "import"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ImportReport:
    """How many rows were stored, why the others were not, and what was changed on the way."""

    imported: int = 0
    duplicates: int = 0
    empty: int = 0
    too_long: int = 0
    invalid: int = 0  # rows with a value that made them unusable (e.g. a date not understood)
    ids: list[int] = field(default_factory=list)
    # (column, kind) → spreadsheet rows, in file order
    notes: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))

    @property
    def skipped(self) -> int:
        """Rows that stored nothing."""
        return self.duplicates + self.empty + self.too_long + self.invalid


def anonymous_pseudonym(secret_key: str, row: ImportRow, occurrence: int) -> str:
    """A reporter for a row without one: what the row says, plus how many identical rows came
    before it in the file. Distinct per row, the same when the rows are imported again under
    any file name."""
    said = row.content or (
        normalise_for_dedupe(row.text),
        row.created_at.isoformat() if row.created_at else "",
        row.team or "",
    )
    message = "anon:" + json.dumps([*said, occurrence], ensure_ascii=False)
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def _reporter(secret_key: str, row: ImportRow, occurrences: Counter[tuple[str, ...]]) -> str:
    if row.reporter:
        return reporter_pseudonym(secret_key, IMPORT_NAMESPACE, row.reporter.strip().casefold())
    key = row.content or (row.text,)
    occurrences[key] += 1
    return anonymous_pseudonym(secret_key, row, occurrences[key])


def _rejected(row: ImportRow, report: ImportReport, max_text_length: int) -> bool:
    """Count the row's notes; True when it must not be stored."""
    for note in row.notes:
        report.notes[(note.column, note.kind)].append(row.line)
    if not row.text.strip():
        report.empty += 1
        return True
    if len(row.text) > max_text_length or any(n.kind == "too_long" for n in row.notes):
        report.too_long += 1
        if not row.notes:
            report.notes[("text", "too_long")].append(row.line)
        return True
    if any(note.skip_row for note in row.notes):
        report.invalid += 1
        return True
    return False


def import_painpoints(
    session_factory: SessionFactory,
    rows: Sequence[ImportRow],
    *,
    secret_key: str,
    max_text_length: int = 4000,
    progress: bool = False,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    scrub_text: Callable[[str], str] = scrub,
) -> ImportReport:
    """Scrub, pseudonymise and store rows; the same reporter's same text is stored once."""
    report = ImportReport()
    now = clock()
    with session_factory() as session:
        seen = {(reporter, fingerprint) for reporter, fingerprint in session.execute(
            select(PainPoint.reporter, PainPoint.text_hash)
        )}  # fmt: skip
    occurrences: Counter[tuple[str, ...]] = Counter()
    pending: list[PainPoint] = []
    bar = tqdm(total=len(rows), desc="importing", unit="row", disable=not progress)
    for row in rows:
        bar.update(1)
        if _rejected(row, report, max_text_length):
            continue
        reporter = _reporter(secret_key, row, occurrences)
        text = scrub_text(row.text.strip())
        fingerprint = text_fingerprint(text)
        if (reporter, fingerprint) in seen:
            report.duplicates += 1
            continue
        seen.add((reporter, fingerprint))
        pending.append(_painpoint(row, text, fingerprint, reporter, now, scrub_text))
        if len(pending) >= BATCH_SIZE:
            report.ids += _flush(session_factory, pending)
            pending = []
    report.ids += _flush(session_factory, pending)
    bar.close()
    report.imported = len(report.ids)
    return report


def _painpoint(
    row: ImportRow,
    text: str,
    fingerprint: str,
    reporter: str,
    now: datetime,
    scrub_text: Callable[[str], str],
) -> PainPoint:
    return PainPoint(
        text=text,
        text_hash=fingerprint,
        source="import",
        category=row.category,
        frequency=row.frequency,
        hours_per_week=row.hours_per_week,
        team=scrub_text(row.team)[:80] if row.team else None,
        reporter=reporter,
        keep_posted=False,
        created_at=row.created_at or now,
        updated_at=now,
    )


def _flush(session_factory: SessionFactory, rows: list[PainPoint]) -> list[int]:
    if not rows:
        return []
    with session_factory() as session, session.begin():
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def painpoint_records(
    session_factory: SessionFactory, *, min_reporters: int | None = None
) -> Iterator[dict[str, Any]]:
    """Every pain point as a plain dict with the export fields (never a Slack user id).

    With `min_reporters`, only reports of a theme backed by at least that many distinct
    people are included (the minimum-reporter rule); without it, every row is.
    """
    with session_factory() as session:
        # Rows still sealed for the full scrub are not exported until they are clean.
        clean = select(PainPoint).where(PainPoint.pending_scrub.is_(False))
        if min_reporters is not None:
            clean = clean.where(PainPoint.theme_id.in_(_themes_with(min_reporters)))
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


def _themes_with(min_reporters: int) -> Any:
    """Ids of themes whose reports come from at least `min_reporters` distinct people (a row
    still sealed for its full scrub is nobody's to see, so it does not count)."""
    return (
        select(PainPoint.theme_id)
        .where(PainPoint.theme_id.is_not(None), PainPoint.pending_scrub.is_(False))
        .group_by(PainPoint.theme_id)
        .having(func.count(func.distinct(PainPoint.reporter)) >= min_reporters)
    )


def neutralise_formula(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_records(
    records: Iterable[dict[str, Any]], fields: Sequence[str], fmt: str, out: io.TextIOBase | Any
) -> int:
    """Write records as JSON (a list) or CSV; returns how many were written.

    CSV cells that a spreadsheet would run as formulas are neutralised (people's words and
    imported values reach them).
    """
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
                key: neutralise_formula(
                    json.dumps(value, ensure_ascii=False)
                    if isinstance(value, list | dict)
                    else value
                )
                for key, value in record.items()
            }
        )
        count += 1
    return count
