"""`painpoint cluster`: themes of any CSV, offline and without the database.

Rows follow the same rules as `painpoint import`: a cell over PAINPOINT_MAX_TEXT_LENGTH skips
its row (said per row), a file with a header and no rows is refused, and the written CSV
neutralises cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import CliError, Command, SubParsers, check_out_path, note, out
from bot.settings import Settings
from bot.terminal import Stage, TerminalEmbedder, terminal_width

if TYPE_CHECKING:
    from clustering.csv_tool import ThemeSummary


def oversized_rows(path: Path, max_cell_length: int) -> tuple[list[int], str | None]:
    """Spreadsheet rows (header = 1) with a cell over the limit, and the file without them
    (None when nothing needs leaving out, or the file is not readable CSV: the clustering
    reader then says what is wrong with it)."""
    import bot.services.import_csv  # noqa: F401  (lifts the csv module's cell size limit)

    try:
        content = path.read_bytes().decode("utf-8-sig")
        records = list(csv.reader(io.StringIO(content, newline=""), strict=True))
    except (OSError, UnicodeDecodeError, csv.Error):
        return [], None
    skipped = [
        number
        for number, record in enumerate(records[1:], start=2)
        if any(len(cell) > max_cell_length for cell in record)
    ]
    if not skipped:
        return [], None
    kept = io.StringIO()
    writer = csv.writer(kept)
    writer.writerows(r for n, r in enumerate(records, start=1) if n not in set(skipped))
    return skipped, kept.getvalue()


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """The rows with their theme columns, formulas neutralised."""
    from bot.services.transfer import neutralise_formula

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows({k: neutralise_formula(v) for k, v in row.items()} for row in rows)


def _cluster(
    path: Path, text_column: str, embedder: TerminalEmbedder, stage: Stage, *, source: Path
) -> tuple[list[dict[str, str]], list[ThemeSummary]]:
    from clustering.csv_tool import cluster_csv
    from clustering.errors import ClusteringInputError

    try:
        return cluster_csv(path, text_column, None, embedder=embedder)
    except ClusteringInputError as exc:
        raise CliError(str(exc).replace(str(path), str(source))) from None
    finally:
        stage.finish()


def cmd_cluster(args: argparse.Namespace, settings: Settings) -> int:
    """Cluster any CSV offline (no database): rows plus theme_id and theme_title columns."""
    source = Path(args.file)
    if args.out is not None:
        check_out_path(Path(args.out))
    clustering = Stage("clustering")

    def begin(count: int) -> None:
        clustering.label = f"clustering {count} reports"
        if not args.quiet:
            clustering.start()

    embedder = TerminalEmbedder(
        settings.embedding_model, show=not args.quiet, after_embedding=begin
    )
    skipped, kept = oversized_rows(source, settings.max_text_length)
    if kept is None:
        rows, themes = _cluster(source, args.text_column, embedder, clustering, source=source)
    else:
        with tempfile.TemporaryDirectory() as folder:
            trimmed = Path(folder) / source.name
            trimmed.write_text(kept, encoding="utf-8")
            rows, themes = _cluster(trimmed, args.text_column, embedder, clustering, source=source)
    if skipped:
        numbers = ", ".join(map(str, skipped[:10])) + (" …" if len(skipped) > 10 else "")
        rows_word = "row" if len(skipped) == 1 else "rows"
        note(f"skipped {len(skipped)} {rows_word} with a cell over {settings.max_text_length:,} "
             f"characters ({rows_word} {numbers}; header = row 1); not in the output")  # fmt: skip
    if args.out is not None:
        write_rows(Path(args.out), rows)
    for line in themes_lines(themes):
        out(line)
    unassigned = sum(1 for row in rows if not row.get("theme_id"))
    target = f"; wrote {args.out}" if args.out else ""
    out(f"{len(rows)} rows, {len(themes)} themes, {unassigned} unassigned{target}")
    return 0


def themes_lines(themes: list[ThemeSummary]) -> list[str]:
    """The themes table, as wide as the terminal; quotes scrubbed like on every surface."""
    from bot.privacy.scrub import scrub
    from bot.reporting.text import Column, fit_table

    if not themes:
        return ["No themes found."]
    shown = [replace(theme, quotes=[scrub(q) for q in theme.quotes]) for theme in themes]
    columns = [
        Column("#", ">"),
        Column("items", ">"),
        Column("theme", flex=2),
        Column("keywords", flex=2),
        Column("example", flex=3),
    ]
    table = [
        [str(t.theme_id), str(t.size), t.title, ", ".join(t.keywords[:5]), (t.quotes or [""])[0]]
        for t in shown
    ]
    return fit_table(columns, table, terminal_width())


COMMANDS: dict[str, Command] = {"cluster": cmd_cluster}


def add_parsers(sub: SubParsers) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    cluster = sub.add_parser(
        "cluster",
        help="cluster any CSV offline, without the database",
        description="Cluster one column of any CSV; prints a themes table and, with --out, "
        "writes the rows plus theme_id (empty when unassigned) and theme_title. Rows with a "
        "cell over PAINPOINT_MAX_TEXT_LENGTH characters are skipped, as by `painpoint import`.",
    )
    cluster.add_argument("file", help="a UTF-8 CSV file with a header row")
    cluster.add_argument("--text-column", required=True, help="the column holding the answers")
    cluster.add_argument("--out", default=None, help="CSV file to write (default: none)")
    cluster.add_argument("--quiet", action="store_true", help="no progress output")
