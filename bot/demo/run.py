"""`painpoint demo`: migrate a fresh SQLite database, import the sample data, print a summary."""

from __future__ import annotations

import csv
import secrets
import sys
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
from bot.services.transfer import ImportRow, import_painpoints
from bot.settings import Settings

SAMPLE_FILE = "sample_painpoints.csv"


def sample_rows(now: datetime) -> list[ImportRow]:
    """The bundled sample pain points, dated relative to `now`."""
    source = resources.files("bot.demo").joinpath(SAMPLE_FILE)
    with source.open("r", encoding="utf-8") as handle:
        rows: list[ImportRow] = []
        for line in csv.DictReader(handle):
            hours = line.get("hours_per_week") or ""
            rows.append(
                ImportRow(
                    text=line["text"],
                    reporter=line.get("reporter") or None,
                    category=line.get("category") or None,
                    frequency=line.get("frequency") or None,
                    hours_per_week=float(hours) if hours else None,
                    team=line.get("team") or None,
                    created_at=now
                    - timedelta(days=int(line.get("days_ago") or 0), hours=len(rows) % 9),
                )
            )
    return rows


def _bar(count: int, largest: int, width: int = 30) -> str:
    return "█" * max(1, round(width * count / largest)) if largest else ""


def print_summary(session_factory: SessionFactory, out: TextIO) -> None:
    """A readable overview of what is stored: volume, reporters, lenses, teams, examples."""
    with session_factory() as session:
        total = session.scalar(select(func.count()).select_from(PainPoint)) or 0
        reporters = session.scalar(select(func.count(func.distinct(PainPoint.reporter)))) or 0
        hours = session.scalar(select(func.sum(PainPoint.hours_per_week))) or 0.0
        categories = Counter(
            dict(
                session.execute(
                    select(PainPoint.category, func.count()).group_by(PainPoint.category)
                )
                .tuples()
                .all()
            )
        )
        frequencies = Counter(
            dict(
                session.execute(
                    select(PainPoint.frequency, func.count()).group_by(PainPoint.frequency)
                )
                .tuples()
                .all()
            )
        )
        teams = Counter(
            dict(
                session.execute(select(PainPoint.team, func.count()).group_by(PainPoint.team))
                .tuples()
                .all()
            )
        )
        scrubbed = session.scalars(
            select(PainPoint.text)
            .where(
                PainPoint.text.contains("[email]")
                | PainPoint.text.contains("[phone]")
                | PainPoint.text.contains("[mention]")
                | PainPoint.text.contains("[link]")
            )
            .limit(4)
        ).all()
    write = out.write
    write(
        f"\n{total} pain points from {reporters} distinct reporters, {hours:,.0f} hours a week in total.\n"
    )
    for title, counter, labels in (
        ("By audit lens", categories, CATEGORIES),
        ("By frequency", frequencies, FREQUENCIES),
        ("By team", teams, {}),
    ):
        write(f"\n{title}:\n")
        largest = max(counter.values(), default=0)
        for key, count in counter.most_common():
            label = labels.get(key, key) if key else "(not given)"
            write(f"  {label:<26} {count:>4}  {_bar(count, largest)}\n")
    if scrubbed:
        write("\nPersonal data is scrubbed before storing, for example:\n")
        for text in scrubbed:
            write(f"  • {text[:110]}{'…' if len(text) > 110 else ''}\n")


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
    report = import_painpoints(
        session_factory, rows, secret_key=secret_key, source_name="demo", progress=False
    )
    out.write(
        f"Stored {report.imported}; skipped {report.duplicates} duplicates and {report.empty} empty rows.\n"
    )
    print_summary(session_factory, out)
    demo_settings = settings.model_copy(update={"database_url": url, "secret_key": secret_key})
    report_path = show_themes(demo_settings, session_factory, database_path.parent, out)
    out.write(f"\nThe demo database is {database_path}. Try:\n")
    out.write(f"  DATABASE_URL=sqlite:///{database_path} .venv/bin/painpoint themes\n")
    out.write(
        f"  DATABASE_URL=sqlite:///{database_path} .venv/bin/painpoint export --what themes --format json\n"
    )
    if report_path is not None:
        out.write(f"\nThe audit report is {report_path.resolve()} — open it in a browser.\n")
    return 0


def show_themes(
    settings: Settings, session_factory: SessionFactory, folder: Path, out: TextIO
) -> Path | None:
    """Embed and cluster the reports, print the themes and a digest, write the HTML report."""
    from bot.app import build_theme_service
    from bot.reporting.report import render
    from bot.reporting.text import digest_text, themes_table
    from bot.services.insights import ThemeInsights

    out.write("\nFinding themes (embedding with the packaged all-MiniLM-L6-v2, offline) …\n")
    result = build_theme_service(settings, session_factory).recluster()
    if not result.enough_data:
        out.write(result.message + "\n")
        return None
    out.write(
        f"{result.themes} themes from {result.items} reports; {result.unassigned} not in any theme "
        "(non-answers and one-offs).\n"
    )
    report = ThemeInsights(session_factory, min_reporters=settings.min_reporters).report(
        period="all", with_history=True
    )
    out.write(f"\nThemes with at least {settings.min_reporters} distinct reporters:\n\n")
    out.write(themes_table(report) + "\n")
    recent = ThemeInsights(session_factory, min_reporters=settings.min_reporters).report(
        period="30d"
    )
    out.write("\n" + digest_text(recent) + "\n")
    report_path = folder / "demo-report.html"
    report_path.write_text(render(report, "html"), encoding="utf-8")
    return report_path
