"""Moving data in and out: `import` (survey exports) and `export` (stored records)."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import (
    CliError,
    Command,
    SubParsers,
    check_out_path,
    note,
    open_out,
    out,
    require_secret_key,
)
from bot.cli.database import open_database
from bot.settings import Settings
from bot.terminal import Stage

if TYPE_CHECKING:
    from bot.db.session import SessionFactory
    from bot.services.transfer import ImportReport

Exported = tuple[Iterable[dict[str, Any]], Sequence[str]]
Exporter = Callable[["SessionFactory", Settings, "int | None"], Exported]
# Exports of individual rows: every row unless --min-reporters applies the rule.
ROW_EXPORTS = ("painpoints", "concerns")
SHOWN_ROWS = 10


def _painpoints(session_factory: SessionFactory, settings: Settings, k: int | None) -> Exported:
    from bot.services import transfer

    del settings
    records = transfer.painpoint_records(session_factory, min_reporters=k)
    return records, transfer.EXPORT_FIELDS


def _themes(session_factory: SessionFactory, settings: Settings, k: int | None) -> Exported:
    from bot.reporting.report import THEME_FIELDS, theme_record
    from bot.services.insights import ThemeInsights

    insights = ThemeInsights(session_factory, min_reporters=k or settings.min_reporters)
    report = insights.report(period="all", with_history=True)
    return (theme_record(theme) for theme in report.themes), THEME_FIELDS


def _concerns(session_factory: SessionFactory, settings: Settings, k: int | None) -> Exported:
    from bot.services.exports import CONCERN_FIELDS, concern_records

    del settings
    return concern_records(session_factory, min_reporters=k), CONCERN_FIELDS


def _deliveries(session_factory: SessionFactory, settings: Settings, k: int | None) -> Exported:
    from bot.services.exports import DELIVERY_FIELDS, delivery_records

    del k
    secret_key = require_secret_key(settings, "it pseudonymises recipients")
    return delivery_records(session_factory, secret_key), DELIVERY_FIELDS


# What `painpoint export --what X` can write; each applies its own privacy rules.
EXPORTERS: dict[str, Exporter] = {
    "painpoints": _painpoints,
    "themes": _themes,
    "concerns": _concerns,
    "deliveries": _deliveries,
}


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write stored data as JSON or CSV."""
    from bot.services import transfer

    k = args.min_reporters
    if args.out not in (None, "-"):
        check_out_path(Path(args.out))
    if k is not None and args.what not in (*ROW_EXPORTS, "themes"):
        raise CliError(
            f"--min-reporters applies to painpoints, concerns and themes, not {args.what}"
        )
    if args.what == "themes" and k is not None and k < settings.min_reporters:
        # Themes are titled and quoted: the configured minimum is a floor.
        raise CliError(
            f"--min-reporters {k} is below PAINPOINT_MIN_REPORTERS ({settings.min_reporters}); "
            "a theme export may only raise the minimum"
        )
    session_factory = open_database(settings, create=False)
    records, fields = EXPORTERS[args.what](session_factory, settings, k)
    from bot.services.audit_log import ReadAuditLog, cli_actor

    # Before anything is written: an export the audit cannot record does not happen.
    ReadAuditLog(session_factory).record(
        cli_actor(), "cli_export", what=args.what, format=args.format, out=args.out, min_reporters=k
    )
    if args.what in ROW_EXPORTS:
        if k is None:
            note(
                f"note: this export holds every {args.what[:-1]} row, including those below the "
                f"minimum-reporter rule (k={settings.min_reporters}); "
                f"add --min-reporters {settings.min_reporters} to apply it"
            )
        else:
            note(f"note: only {args.what} shared by at least {k} distinct people are included")
    with open_out(args.out) as stream:
        count = transfer.write_records(records, fields, args.format, stream)
    if args.out:
        note(f"wrote {count} {args.what} to {args.out}")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a survey export CSV."""
    from bot.app import build_scrubber
    from bot.services import transfer

    secret_key = require_secret_key(settings)
    try:
        rows = transfer.read_import_csv(
            Path(args.file),
            text_column=args.text_column,
            reporter_column=args.reporter_column,
            created_at_column=args.created_at_column,
            max_cell_length=settings.max_text_length,
        )
    except transfer.ImportFileError as exc:
        raise CliError(str(exc)) from None
    session_factory = open_database(settings, create=True)
    scrubber = build_scrubber(settings)
    # Loading the name and address model takes seconds: say so rather than sit silent.
    with Stage("loading the personal-data scrubber", stream=io.StringIO() if args.quiet else None):
        scrubber.warm_up()
    report = transfer.import_painpoints(
        session_factory,
        rows,
        secret_key=secret_key,
        max_text_length=settings.max_text_length,
        progress=not args.quiet,
        scrub_text=scrubber.full,
    )
    for line in import_summary(report, total=len(rows), limit=settings.max_text_length):
        out(line)
    return 0


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:SHOWN_ROWS])
    more = f" and {len(numbers) - SHOWN_ROWS} more" if len(numbers) > SHOWN_ROWS else ""
    return f"row{'s' if len(numbers) > 1 else ''} {shown}{more}"


def import_summary(report: ImportReport, *, total: int, limit: int) -> list[str]:
    """What the import did, then one line per column and kind of value it changed or refused."""
    from bot.services.transfer import NOTE_KINDS

    lines = [
        f"imported {report.imported} of {total} rows "
        f"({report.duplicates} duplicates, {report.empty} empty, {report.too_long} too long, "
        f"{report.invalid} unreadable skipped)"
    ]
    for (column, kind), numbers in sorted(report.notes.items()):
        what, done = NOTE_KINDS[kind]
        if kind == "too_long":
            what = f"cells over {limit:,} characters"
        lines.append(f"  {column}: {len(numbers)} {what}: {_rows(numbers)}; {done}")
    if report.notes:
        lines.append("  (rows are numbered as in a spreadsheet: the header is row 1)")
    return lines


COMMANDS: dict[str, Command] = {"export": cmd_export, "import": cmd_import}


def add_parsers(sub: SubParsers) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    export = sub.add_parser(
        "export",
        help="export stored data (scrubbed, pseudonymous)",
        description="Write stored records as JSON or CSV. Row exports (painpoints, concerns) "
        "hold every row unless --min-reporters applies the minimum-reporter rule; themes "
        "always apply it. CSV cells that would run as spreadsheet formulas are neutralised.",
    )
    export.add_argument(
        "--what", default="painpoints", choices=sorted(EXPORTERS), help="(default: %(default)s)"
    )
    export.add_argument(
        "--format", default="json", choices=["json", "csv"], help="(default: %(default)s)"
    )
    export.add_argument("--out", default=None, help="file to write (default: standard output)")
    export.add_argument(
        "--min-reporters",
        type=int,
        default=None,
        metavar="K",
        help="only rows of themes (painpoints) or topics (concerns) shared by at least K "
        "distinct people (default: every row; themes use PAINPOINT_MIN_REPORTERS, which K "
        "may raise but not lower)",
    )

    imp = sub.add_parser(
        "import",
        help="import a survey export (CSV)",
        description="Import a UTF-8 CSV: scrubbed and deduplicated like Slack input. Optional "
        "columns category, frequency, hours_per_week, team and created_at are used when present; "
        "values that cannot be used are reported per column. Importing the same rows again, "
        "under any file name, adds nothing.",
    )
    imp.add_argument("file", help="the CSV file")
    imp.add_argument("--text-column", required=True, help="the column holding the answers")
    imp.add_argument(
        "--reporter-column",
        default=None,
        help="who answered (e-mail, name, id; stored only as a pseudonym) "
        "(default: none, every row counts as its own anonymous reporter)",
    )
    imp.add_argument(
        "--created-at-column",
        default=None,
        metavar="COL",
        help="when each answer was given: ISO 8601, an offset is converted to UTC, none reads "
        "as UTC; rows with a date that cannot be read are not imported "
        "(default: created_at if the file has it, else the import time)",
    )
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
