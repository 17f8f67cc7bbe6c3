"""Unit tests of bulk import and export, on real databases."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.session import SessionFactory
from bot.domain.capture import CATEGORIES, PainPointInput
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
    session_factory: SessionFactory, rows: list[transfer.ImportRow]
) -> transfer.ImportReport:
    return transfer.import_painpoints(session_factory, rows, secret_key=KEY, clock=lambda: NOW)


# --- reading files -------------------------------------------------------------------------


def test_rows_are_read_with_their_recognised_optional_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Answer,Who,category,frequency,hours_per_week,team,created_at\n"
        'Expenses take ages,jane,repetitive_task,Weekly,"2,5",Finance,2025-11-03T10:00:00\n'
        "Search is bad,,astrology,sometimes,200,,yesterday\n",
    )

    first, second = transfer.read_import_csv(
        path, text_column="Answer", reporter_column="Who", now=NOW
    )

    assert first == transfer.ImportRow(
        text="Expenses take ages",
        reporter="jane",
        category="repetitive_task",
        frequency="weekly",
        hours_per_week=2.5,
        team="Finance",
        created_at=datetime(2025, 11, 3, 10, 0, tzinfo=UTC),
        line=2,
    )
    assert [(n.column, n.kind) for n in first.notes] == [("created_at", "no_zone")]
    # Unknown values are dropped, not guessed, and noted per column; the text itself is kept.
    assert second == transfer.ImportRow(text="Search is bad", reporter=None, line=3)
    assert {(n.column, n.kind, n.skip_row) for n in second.notes} == {
        ("created_at", "date", True),
        ("category", "category", False),
        ("frequency", "frequency", False),
        ("hours_per_week", "hours", False),
    }


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


def _spellings() -> list[tuple[str, str]]:
    """Every way the product shows a category: key and label, any case, singular or plural."""
    found = []
    for key, label in CATEGORIES.items():
        singular = label[:-1] if label.endswith("s") else label
        plural = label if label.endswith("s") else label + "s"
        for given in (label, label.upper(), singular.lower(), plural, key, key.replace("_", "-")):
            found.append((given, key))
    return found


@pytest.mark.parametrize(("given", "stored"), _spellings())
def test_category_labels_shown_in_the_product_are_accepted(
    tmp_path: Path, given: str, stored: str
) -> None:
    path = write(tmp_path, f"text,category\nSlow approvals,{given}\n")
    [row] = transfer.read_import_csv(path, text_column="text", now=NOW)
    assert (row.category, row.notes) == (stored, ())


@pytest.mark.parametrize(
    ("given", "stored", "kind"),
    [
        ("2026-03-01T10:00+02:00", datetime(2026, 3, 1, 8, 0, tzinfo=UTC), None),
        ("2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, 0, tzinfo=UTC), None),
        ("2026-03-01T10:00-05:30", datetime(2026, 3, 1, 15, 30, tzinfo=UTC), None),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC), None),
        ("2026-03-01 10:00", datetime(2026, 3, 1, 10, 0, tzinfo=UTC), "no_zone"),
        ("yesterday", None, "date"),
        ("2026-13-45", None, "date"),
        ("2027-01-01T00:00+00:00", None, "future"),
    ],
)
def test_dates_are_stored_in_utc_or_refused(
    tmp_path: Path, given: str, stored: datetime | None, kind: str | None
) -> None:
    path = write(tmp_path, f"text,created_at\nSlow approvals,{given}\n")
    [row] = transfer.read_import_csv(path, text_column="text", now=NOW)
    assert row.created_at == stored
    assert [n.kind for n in row.notes] == ([kind] if kind else [])
    assert all(n.skip_row == (stored is None) for n in row.notes)


def test_a_named_created_at_column_is_used_and_must_exist(tmp_path: Path) -> None:
    path = write(tmp_path, "text,Submitted\nSlow approvals,2026-02-01T09:30+01:00\n")
    [row] = transfer.read_import_csv(
        path, text_column="text", created_at_column="Submitted", now=NOW
    )
    assert row.created_at == datetime(2026, 2, 1, 8, 30, tzinfo=UTC)
    with pytest.raises(transfer.ImportFileError, match="'When' is not in"):
        transfer.read_import_csv(path, text_column="text", created_at_column="When")


@pytest.mark.parametrize("size", [100_000, 5_000_000])
def test_an_oversized_cell_skips_its_row_only_whatever_its_size(
    tmp_path: Path, session_factory: SessionFactory, size: int
) -> None:
    path = write(
        tmp_path,
        f"text,team\nFine one,Ops\n{'x' * size},Ops\nAlso fine,{'t' * size}\nLast,Ops\n",
    )
    rows = transfer.read_import_csv(path, text_column="text", now=NOW)

    report = run_import(session_factory, rows)

    assert (report.imported, report.too_long) == (2, 2)
    assert report.notes == {("text", "too_long"): [3], ("team", "too_long"): [4]}
    assert [row.text for row in painpoints(session_factory)] == ["Fine one", "Last"]


def test_a_header_without_rows_is_refused_like_cluster_does(tmp_path: Path) -> None:
    path = write(tmp_path, "text,who\n")
    with pytest.raises(transfer.ImportFileError, match="has a header but no rows"):
        transfer.read_import_csv(path, text_column="text")


def test_unreadable_values_are_counted_per_column_with_their_rows(
    tmp_path: Path, session_factory: SessionFactory
) -> None:
    path = write(
        tmp_path,
        "text,category,created_at\n"
        "One,Repetitive task,2026-01-05T10:00+02:00\n"
        "Two,astrology,2026-01-05\n"
        "Three,,yesterday\n"
        "Four,,2026-01-06\n"
        "Five,,2026-13-45\n",
    )
    rows = transfer.read_import_csv(path, text_column="text", now=NOW)

    report = run_import(session_factory, rows)

    assert (report.imported, report.invalid, report.skipped) == (3, 2, 2)
    assert report.notes == {("category", "category"): [3], ("created_at", "date"): [4, 6]}
    stored = {row.text: row for row in painpoints(session_factory)}
    assert set(stored) == {"One", "Two", "Four"}
    assert stored["One"].category == "repetitive_task"
    assert stored["One"].created_at.replace(tzinfo=UTC) == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert stored["Two"].category is None


def test_reimporting_under_another_file_name_adds_nothing(
    tmp_path: Path, session_factory: SessionFactory
) -> None:
    content = "text,who\nVPN drops,jane\nVPN drops,\nVPN drops,\nPrinter jams,\n"
    first = transfer.read_import_csv(write(tmp_path, content), text_column="text",
                                     reporter_column="who")  # fmt: skip
    again = transfer.read_import_csv(write(tmp_path, content, "survey (1).csv"),
                                     text_column="text", reporter_column="who")  # fmt: skip

    assert run_import(session_factory, first).imported == 4
    report = run_import(session_factory, again)

    assert (report.imported, report.duplicates) == (0, 4)
    rows = painpoints(session_factory)
    assert len(rows) == 4 and len({row.reporter for row in rows}) == 4


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
    # The pseudonym depends on the reporter only, never on the file's name.
    assert first.reporter == reporter_pseudonym(KEY, "import", "jane")
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


def test_csv_cells_that_would_run_as_formulas_are_neutralised() -> None:
    records = [
        {"id": 1, "text": '=HYPERLINK("http://evil.example","click")', "team": "+Ops"},
        {"id": 2, "text": "-1 day", "team": "@finance"},
        {"id": 3, "text": "fine = ok", "team": None},
    ]
    out = io.StringIO()
    transfer.write_records(records, ("id", "text", "team"), "csv", out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))

    assert [r["text"] for r in rows] == [
        '\'=HYPERLINK("http://evil.example","click")',
        "'-1 day",
        "fine = ok",
    ]
    assert [r["team"] for r in rows] == ["'+Ops", "'@finance", ""]


def test_the_minimum_reporter_rule_keeps_only_rows_of_themes_above_it(
    session_factory: SessionFactory,
) -> None:
    from tests.bot.reporting.factories import seed_theme

    seed_theme(session_factory, "Big theme", reporters=3)
    seed_theme(session_factory, "Small theme", reporters=["a", "b"])

    everything = list(transfer.painpoint_records(session_factory))
    ruled = list(transfer.painpoint_records(session_factory, min_reporters=3))

    assert len(everything) > len(ruled) > 0
    assert len({r["reporter"] for r in ruled}) == 3
