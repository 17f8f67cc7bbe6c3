"""`painpoint demo`: migrate a fresh SQLite database, import the sample data, print a summary.

Everything it prints fits 80 columns; progress (the model loading, clustering) goes to
stderr like every other command's.
"""

from __future__ import annotations

import csv
import re
import secrets
import sys
import textwrap
from collections import Counter
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TextIO

from sqlalchemy import func, select

from bot.db import migrate
from bot.db.models import PainPoint
from bot.db.session import SessionFactory, make_engine, make_session_factory
from bot.domain.capture import CATEGORIES, FREQUENCIES
from bot.domain.lenses import LEGACY_CATEGORIES
from bot.services.import_csv import label_lookup, normalise_label
from bot.services.transfer import ImportRow, import_painpoints
from bot.settings import Settings

SAMPLE_FILE = "sample_painpoints.csv"
WIDTH = 80
PLACEHOLDERS = ("[email]", "[phone]", "[name]", "[mention]", "[link]", "[card]", "[iban]",
                "[id]", "[address]", "[secret]")  # fmt: skip
EXAMPLES = 5


def sample_rows(now: datetime) -> list[ImportRow]:
    """The bundled sample pain points, dated relative to `now`."""
    categories = label_lookup(CATEGORIES, LEGACY_CATEGORIES)
    source = resources.files("bot.demo").joinpath(SAMPLE_FILE)
    with source.open("r", encoding="utf-8") as handle:
        rows: list[ImportRow] = []
        for line in csv.DictReader(handle):
            hours = line.get("hours_per_week") or ""
            category = normalise_label(line.get("category") or "")
            rows.append(
                ImportRow(
                    text=line["text"],
                    reporter=line.get("reporter") or None,
                    category=categories.get(category) if category else None,
                    frequency=line.get("frequency") or None,
                    hours_per_week=float(hours) if hours else None,
                    team=line.get("team") or None,
                    created_at=now
                    - timedelta(days=int(line.get("days_ago") or 0), hours=len(rows) % 9),
                    line=len(rows) + 2,
                )
            )
    return rows


def _bar(count: int, largest: int, width: int = 30) -> str:
    return "█" * max(1, round(width * count / largest)) if largest else ""


def _counts(session_factory: SessionFactory, column: object) -> Counter[str | None]:
    with session_factory() as session:
        rows = session.execute(select(column, func.count()).group_by(column)).all()  # type: ignore[call-overload]
        return Counter(dict(rows))


def excerpt(text: str, width: int = WIDTH - 6) -> str:
    """At most `width` characters of `text`, cut so that its first placeholder shows whole."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    room = width - 2  # an ellipsis may go at either end
    found = re.search(r"\[[a-z]+\]", text)
    start = max(0, min((found.start() if found else 0) - width // 3, len(text) - room))
    if found:
        start = max(start, found.end() - room)
    head = "…" if start else ""
    tail = "…" if start + room < len(text) else ""
    return head + text[start : start + room] + tail


def scrubbed_examples(session_factory: SessionFactory) -> list[str]:
    """One stored report per kind of placeholder, as many kinds as there are (up to 5)."""
    picked: list[str] = []
    with session_factory() as session:
        for placeholder in PLACEHOLDERS:
            if len(picked) >= EXAMPLES:
                break
            texts = session.scalars(
                select(PainPoint.text).where(PainPoint.text.contains(placeholder)).limit(5)
            ).all()
            fresh = next((t for t in texts if t not in picked), None)
            if fresh is not None:
                picked.append(fresh)
    return picked


def print_summary(session_factory: SessionFactory, out: TextIO) -> None:
    """A readable overview of what is stored: volume, reporters, lenses, teams, examples."""
    with session_factory() as session:
        total = session.scalar(select(func.count()).select_from(PainPoint)) or 0
        reporters = session.scalar(select(func.count(func.distinct(PainPoint.reporter)))) or 0
        hours = session.scalar(select(func.sum(PainPoint.hours_per_week))) or 0.0
    write = out.write
    write(
        f"\n{total} pain points from {reporters} distinct reporters, "
        f"{hours:,.0f} hours a week in total.\n"
    )
    for title, column, labels in (
        ("By audit lens", PainPoint.category, CATEGORIES),
        ("By frequency", PainPoint.frequency, FREQUENCIES),
        ("By team", PainPoint.team, {}),
    ):
        counter = _counts(session_factory, column)
        write(f"\n{title}:\n")
        largest = max(counter.values(), default=0)
        for key, count in counter.most_common():
            label = labels.get(key, key) if key else "(not given)"
            write(f"  {label[:26]:<26} {count:>4}  {_bar(count, largest)}\n")
    examples = scrubbed_examples(session_factory)
    if examples:
        write("\nPersonal data is replaced by placeholders before storing, for example:\n")
        for text in examples:
            write(f"  • {excerpt(text)}\n")


def run_demo(settings: Settings, *, database_path: Path, out: TextIO | None = None) -> int:
    """Run the demo end to end on a fresh database; returns the exit code."""
    out = out or sys.stdout
    database_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database_path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{database_path}"
    out.write(f"Creating the demo database {database_path} …\n")
    migrate.upgrade(url)
    session_factory = make_session_factory(make_engine(url))
    secret_key = settings.secret_key or secrets.token_urlsafe(32)
    rows = sample_rows(datetime.now(UTC))
    out.write(f"Importing {len(rows)} sample pain points (scrubbed and pseudonymised) …\n")
    report = import_painpoints(session_factory, rows, secret_key=secret_key, progress=False)
    out.write(
        f"Stored {report.imported}; skipped {report.duplicates} duplicates "
        f"and {report.empty} empty rows.\n"
    )
    print_summary(session_factory, out)
    demo_settings = settings.model_copy(update={"database_url": url, "secret_key": secret_key})
    report_path = show_themes(demo_settings, session_factory, database_path.parent, out)
    out.write(f"\nThe demo database is {database_path}. Try:\n")
    for command in ("themes", "report --format md", "export --what themes --format json"):
        out.write(
            f"  DATABASE_URL=sqlite:///{database_path} \\\n    .venv/bin/painpoint {command}\n"
        )
    if report_path is not None:
        out.write("\nThe audit report — open it in a browser:\n")
        out.write(f"  {report_path}\n")
    return 0


def show_themes(
    settings: Settings, session_factory: SessionFactory, folder: Path, out: TextIO
) -> Path | None:
    """Embed and cluster the reports, print the themes and a digest, write the HTML report."""
    from bot.app import build_theme_service
    from bot.reporting.report import render
    from bot.reporting.text import digest_text, themes_table
    from bot.services.insights import ThemeInsights
    from bot.terminal import Stage, TerminalEmbedder

    out.write("\nFinding themes (embedding with the packaged all-MiniLM-L6-v2, offline) …\n")
    out.flush()
    embedder = TerminalEmbedder(settings.embedding_model, bar=False)
    themes = build_theme_service(settings, session_factory, embedder_factory=lambda: embedder)
    embedder.load()
    themes.embeddings.embed_pending(show_progress=True)
    with Stage(f"clustering {len(themes.embeddings.load()[0])} reports"):
        result = themes.recluster()
    if not result.enough_data:
        out.write(result.message + "\n")
        return None
    out.write(
        "\n".join(textwrap.wrap(
            f"{result.themes} themes from {result.items} reports; {result.unassigned} not in "
            "any theme (non-answers and one-offs).", WIDTH)) + "\n"
    )  # fmt: skip
    insights = ThemeInsights(session_factory, min_reporters=settings.min_reporters)
    report = insights.report(period="all", with_history=True)
    out.write(f"\nThemes with at least {settings.min_reporters} distinct reporters:\n\n")
    out.write(themes_table(report, width=WIDTH) + "\n")
    out.write("\n" + digest_text(insights.report(period="30d"), width=WIDTH) + "\n")
    report_path = folder / "demo-report.html"
    report_path.write_text(render(report, "html"), encoding="utf-8")
    return report_path
