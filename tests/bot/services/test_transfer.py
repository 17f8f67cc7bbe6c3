"""Unit tests of bulk import and export, on real databases."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.session import SessionFactory
from bot.domain.capture import PainPointInput
from bot.privacy.pseudonym import reporter_pseudonym
from bot.services import transfer
from bot.services.capture import CaptureService
from tests.conftest import SECRET_KEY
from tests.stored import painpoints, scrubbed

KEY = SECRET_KEY  # the privacy step in tests/stored.py opens sealed text with it
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def write(tmp_path: Path, content: str | bytes, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def run_import(
    session_factory: SessionFactory, rows: list[transfer.ImportRow], source: str = "survey.csv"
) -> transfer.ImportReport:
    return transfer.import_painpoints(
        session_factory, rows, secret_key=KEY, source_name=source, clock=lambda: NOW
    )


# --- reading files -------------------------------------------------------------------------


def test_rows_are_read_with_their_recognised_optional_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Answer,Who,category,frequency,hours_per_week,team,created_at\n"
        'Expenses take ages,jane,repetitive_task,Weekly,"2,5",Finance,2025-11-03T10:00:00\n'
        "Search is bad,,astrology,sometimes,200,,yesterday\n",
    )

    first, second = transfer.read_import_csv(path, text_column="Answer", reporter_column="Who")

    assert first == transfer.ImportRow(
        text="Expenses take ages",
        reporter="jane",
        category="repetitive_task",
        frequency="weekly",
        hours_per_week=2.5,
        team="Finance",
        created_at=datetime(2025, 11, 3, 10, 0, tzinfo=UTC),
    )
    # Unknown values are dropped, not guessed; the text itself is kept.
    assert second == transfer.ImportRow(text="Search is bad", reporter=None)


def test_a_byte_order_mark_and_quoted_newlines_are_fine(tmp_path: Path) -> None:
    path = write(tmp_path, '\ufefftext\n"two\nlines"\n')
    [row] = transfer.read_import_csv(path, text_column="text")
    assert row.text == "two\nlines"


BAD_FILES = {
    "empty": (b"", "empty"),
    "blank lines only": (b"\n\n", "empty"),
    "not UTF-8": ("text\ncaf\u00e9 is slow\n".encode("latin-1"), "not UTF-8"),
    "binary": (b"text\nab\x00cd\n", "binary"),
    "more fields than the header": (b"text,who\na,b,c\n", "line 2: more fields"),
    "unterminated quote": (b'text,who\n"hello,U1\nnext,U2\n', "not a valid CSV"),
    "junk after a quote": (b'text,who\n"a"b,U1\n', "not a valid CSV"),
}


@pytest.mark.parametrize(("content", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_files_are_refused_with_a_clear_one_line_reason(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(transfer.ImportFileError) as caught:
        transfer.read_import_csv(path, text_column="text")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_column_is_named_with_the_columns_there_are(tmp_path: Path) -> None:
    path = write(tmp_path, "answer;who\nslow;jane\n")
    with pytest.raises(transfer.ImportFileError, match=r"'text' is not in survey\.csv"):
        transfer.read_import_csv(path, text_column="text")
    path = write(tmp_path, "text,who\nslow,jane\n")
    with pytest.raises(transfer.ImportFileError, match=r"'reporter' is not in .*'text', 'who'"):
        transfer.read_import_csv(path, text_column="text", reporter_column="reporter")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(transfer.ImportFileError, match="cannot read"):
        transfer.read_import_csv(tmp_path / "nope.csv", text_column="text")


# --- importing -----------------------------------------------------------------------------


def test_import_scrubs_and_pseudonymises(session_factory: SessionFactory) -> None:
    rows = [
        transfer.ImportRow(text="Mail ops@example.com to get access", reporter="jane"),
        transfer.ImportRow(
            text="Old row", reporter=None, created_at=datetime(2025, 1, 1, tzinfo=UTC)
        ),
    ]

    report = run_import(session_factory, rows)

    assert report.imported == 2
    first, second = painpoints(session_factory)
    assert first.text == "Mail [email] to get access"
    assert first.source == "import"
    assert first.reporter == reporter_pseudonym(KEY, "import:survey.csv", "jane")
    assert "jane" not in first.reporter
    assert first.notify_user_id is None
    assert second.created_at.replace(tzinfo=UTC) == datetime(2025, 1, 1, tzinfo=UTC)
    assert report.ids == [first.id, second.id]


def test_rows_without_a_reporter_count_as_distinct_reporters(
    session_factory: SessionFactory,
) -> None:
    rows = [transfer.ImportRow(text="The VPN drops", reporter=None) for _ in range(3)]

    report = run_import(session_factory, rows)

    assert report.imported == 3
    assert len({row.reporter for row in painpoints(session_factory)}) == 3


def test_the_same_reporters_same_text_is_stored_once(session_factory: SessionFactory) -> None:
    rows = [
        transfer.ImportRow(text="The VPN drops", reporter="jane"),
        transfer.ImportRow(text="the vpn drops.", reporter="jane"),
        transfer.ImportRow(text="The VPN drops", reporter="omar"),
    ]

    report = run_import(session_factory, rows)

    assert (report.imported, report.duplicates) == (2, 1)
    assert len({row.reporter for row in painpoints(session_factory)}) == 2


def test_importing_the_same_file_again_adds_nothing(session_factory: SessionFactory) -> None:
    rows = [
        transfer.ImportRow(text="The VPN drops", reporter="jane"),
        transfer.ImportRow(text="Anonymous one", reporter=None),
        transfer.ImportRow(text="Anonymous one", reporter=None),
    ]
    assert run_import(session_factory, rows).imported == 3

    again = run_import(session_factory, rows)

    assert (again.imported, again.duplicates) == (0, 3)
    assert len(painpoints(session_factory)) == 3


def test_empty_and_too_long_rows_are_counted_and_skipped(session_factory: SessionFactory) -> None:
    rows = [
        transfer.ImportRow(text="  ", reporter="jane"),
        transfer.ImportRow(text="x" * 4001, reporter="jane"),
        transfer.ImportRow(text="Fine", reporter="jane"),
    ]
    report = run_import(session_factory, rows)
    assert (report.imported, report.empty, report.too_long, report.skipped) == (1, 1, 1, 2)


def test_large_imports_are_stored_in_batches(session_factory: SessionFactory) -> None:
    rows = [
        transfer.ImportRow(text=f"Problem {n}", reporter=None)
        for n in range(transfer.BATCH_SIZE + 7)
    ]
    report = run_import(session_factory, rows)
    assert report.imported == len(painpoints(session_factory)) == transfer.BATCH_SIZE + 7


# --- exporting -----------------------------------------------------------------------------


@pytest.fixture
def stored(session_factory: SessionFactory) -> None:
    service = CaptureService(session_factory, secret_key=KEY, clock=lambda: NOW)
    service.record(
        team_id="T1",
        user_id="U0SLACKID",
        submission=PainPointInput(
            text="Expenses, ask <@U0OTHER>",
            source="modal",
            category="repetitive_task",
            frequency="weekly",
            hours_per_week=2.0,
            team="Finance",
            keep_posted=True,
        ),
    )
    run_import(session_factory, [transfer.ImportRow(text="Imported, with a comma", reporter="x")])
    scrubbed(session_factory)


CONTRACT = {
    "id",
    "text",
    "source",
    "category",
    "frequency",
    "hours_per_week",
    "team",
    "reporter",
    "created_at",
}


@pytest.mark.usefixtures("stored")
def test_records_carry_the_contract_fields_and_never_a_slack_user_id(
    session_factory: SessionFactory,
) -> None:
    first, second = transfer.painpoint_records(session_factory)

    assert set(first) >= CONTRACT
    assert first["source"] == "modal" and second["source"] == "import"
    assert first["reporter"] == reporter_pseudonym(KEY, "T1", "U0SLACKID")
    assert datetime.fromisoformat(first["created_at"]) == NOW
    assert "U0SLACKID" not in json.dumps([first, second])
    assert "U0OTHER" not in json.dumps([first, second])


@pytest.mark.usefixtures("stored")
def test_json_and_csv_writers_round_trip(session_factory: SessionFactory) -> None:
    records = list(transfer.painpoint_records(session_factory))

    out = io.StringIO()
    assert transfer.write_records(records, transfer.EXPORT_FIELDS, "json", out) == 2
    assert json.loads(out.getvalue()) == records

    out = io.StringIO()
    assert transfer.write_records(records, transfer.EXPORT_FIELDS, "csv", out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["text"] for row in rows] == [r["text"] for r in records]
    assert set(rows[0]) >= CONTRACT


def test_an_empty_export_is_valid(session_factory: SessionFactory) -> None:
    out = io.StringIO()
    records = transfer.painpoint_records(session_factory)
    assert transfer.write_records(records, transfer.EXPORT_FIELDS, "json", out) == 0
    assert json.loads(out.getvalue()) == []
