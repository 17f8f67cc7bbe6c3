"""Cluster the answers in any CSV file and write them back with their themes."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from clustering.embedding import Embedder
from clustering.errors import ClusteringInputError
from clustering.pipeline import ThemePipeline

THEME_ID_COLUMN = "theme_id"
THEME_TITLE_COLUMN = "theme_title"


@dataclass(frozen=True)
class ThemeSummary:
    """One line of the printed themes table."""

    theme_id: int  # 1-based, as written to the CSV
    title: str
    size: int
    keywords: list[str]
    quotes: list[str]


def _read_rows(path: Path, text_column: str) -> tuple[list[str], list[dict[str, str]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ClusteringInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        content = raw.decode("utf-8-sig")  # also accepts plain UTF-8
    except UnicodeDecodeError as exc:
        raise ClusteringInputError(
            f"{path} is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8 and retry"
        ) from exc
    if not content.strip():
        raise ClusteringInputError(f"{path} is empty")
    if "\x00" in content:
        raise ClusteringInputError(f"{path} looks like a binary file, not CSV")
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader)
        records = list(reader)
    except csv.Error as exc:
        raise ClusteringInputError(
            f"{path} is not valid CSV (line {reader.line_num}): {exc}"
        ) from exc
    header = [h.strip() for h in header]
    if text_column not in header:
        available = ", ".join(repr(h) for h in header if h) or "none"
        raise ClusteringInputError(
            f"column {text_column!r} not found in {path}; columns are: {available}"
        )
    rows: list[dict[str, str]] = []
    for line_no, record in enumerate(records, start=2):
        if not record:
            continue  # blank line
        if len(record) > len(header):
            raise ClusteringInputError(
                f"{path} is not valid CSV: row {line_no} has {len(record)} fields, "
                f"the header has {len(header)}"
            )
        padded = record + [""] * (len(header) - len(record))
        rows.append(dict(zip(header, padded, strict=True)))
    if not rows:
        raise ClusteringInputError(f"{path} has a header but no rows")
    return header, rows


def cluster_csv(
    in_path: str | os.PathLike[str],
    text_column: str,
    out_path: str | os.PathLike[str] | None = None,
    embedder: Embedder | None = None,
    *,
    pipeline: ThemePipeline | None = None,
) -> tuple[list[dict[str, str]], list[ThemeSummary]]:
    """Cluster ``text_column`` of a CSV; return rows with theme columns and a theme summary.

    Rows come back (and are written to ``out_path`` if given) with ``theme_id`` (1-based,
    empty when unassigned) and ``theme_title`` added. Raises ClusteringInputError for a
    missing column, an unreadable, malformed or empty file, or too few usable answers.
    """
    path = Path(in_path)
    header, rows = _read_rows(path, text_column)
    texts = [row[text_column] for row in rows]
    pipe = pipeline if pipeline is not None else ThemePipeline(embedder=embedder)
    result = pipe.fit(texts)
    if not result.enough_data:
        raise ClusteringInputError(f"{path}: {result.message}")
    titles = [t.title for t in result.themes]
    for row, label in zip(rows, result.labels, strict=True):
        row[THEME_ID_COLUMN] = str(int(label) + 1) if label >= 0 else ""
        row[THEME_TITLE_COLUMN] = titles[label] if label >= 0 else ""
    if out_path is not None:
        columns = [c for c in header if c not in (THEME_ID_COLUMN, THEME_TITLE_COLUMN)]
        columns += [THEME_ID_COLUMN, THEME_TITLE_COLUMN]
        with open(out_path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    themes = [
        ThemeSummary(
            theme_id=t.label + 1,
            title=t.title,
            size=t.size,
            keywords=list(t.keywords),
            quotes=[q.text for q in t.quotes],
        )
        for t in result.themes
    ]
    return rows, themes


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_themes_table(themes: Sequence[ThemeSummary], quote_width: int = 70) -> str:
    """A plain-text table of themes (id, size, title, keywords, an example quote)."""
    if not themes:
        return "No themes found."
    head = ("#", "Items", "Theme", "Keywords", "Example")
    body = [
        (
            str(t.theme_id),
            str(t.size),
            t.title,
            _clip(", ".join(t.keywords[:5]), 50),
            _clip(t.quotes[0], quote_width) if t.quotes else "",
        )
        for t in themes
    ]
    widths = [max(len(r[i]) for r in (head, *body)) for i in range(len(head))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in (head, *body)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
