"""Command-line verbs of the theme engine and the audit: themes, embed, cluster, report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.db.session import SessionFactory
    from bot.services.themes import ThemeService

Command = Callable[[argparse.Namespace, Settings], int]
EXIT_USAGE = 2


def _fail(message: str) -> int:
    print(f"painpoint: {message}", file=sys.stderr)  # noqa: T201
    return EXIT_USAGE


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """Write the audit report (html, md, csv or json) to a file or standard output."""
    from bot.db.migrate import upgrade
    from bot.db.session import make_engine, make_session_factory
    from bot.domain.themes import SliceTooSmall
    from bot.reporting.report import render
    from bot.services.insights import ThemeInsights

    upgrade(settings.database_url)
    insights = ThemeInsights(
        make_session_factory(make_engine(settings.database_url)),
        min_reporters=settings.min_reporters,
    )
    try:
        report = insights.report(period=args.period, team=args.team, with_history=True)
    except SliceTooSmall as exc:
        return _fail(f"cannot report on that selection: {exc}")
    document = render(report, args.format)
    if args.out in (None, "-"):
        sys.stdout.write(document)
        return 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document, encoding="utf-8")
    print(f"wrote the {args.format} report ({len(report.themes)} themes) to {out}", file=sys.stderr)  # noqa: T201
    return 0


def cmd_cluster(args: argparse.Namespace, settings: Settings) -> int:
    """Cluster any CSV offline (no database): rows plus theme_id and theme_title columns."""
    from dataclasses import replace

    from bot.privacy.scrub import scrub
    from clustering.csv_tool import cluster_csv, format_themes_table
    from clustering.embedding import SentenceTransformerEmbedder
    from clustering.errors import ClusteringInputError

    embedder = SentenceTransformerEmbedder(settings.embedding_model, show_progress=not args.quiet)
    try:
        rows, themes = cluster_csv(Path(args.file), args.text_column, args.out, embedder=embedder)
    except ClusteringInputError as exc:
        return _fail(str(exc))
    # Quotes are shown to whoever reads the terminal: scrub them like any other surface.
    shown = [replace(theme, quotes=[scrub(q) for q in theme.quotes]) for theme in themes]
    print(format_themes_table(shown))  # noqa: T201
    unassigned = sum(1 for row in rows if not row.get("theme_id"))
    target = f"; wrote {args.out}" if args.out else ""
    print(f"{len(rows)} rows, {len(themes)} themes, {unassigned} unassigned{target}")  # noqa: T201
    return 0


def _theme_service(settings: Settings) -> tuple[SessionFactory, ThemeService]:
    from bot.app import build_theme_service
    from bot.db.migrate import upgrade
    from bot.db.session import make_engine, make_session_factory

    upgrade(settings.database_url)
    session_factory = make_session_factory(make_engine(settings.database_url))
    return session_factory, build_theme_service(settings, session_factory)


def cmd_embed(args: argparse.Namespace, settings: Settings) -> int:
    """Backfill embeddings (and re-embed rows made with another model)."""
    del args
    _, themes = _theme_service(settings)
    count = themes.embeddings.embed_pending(show_progress=True)
    print(f"embedded {count} reports with {themes.embeddings.model_name}")  # noqa: T201
    return 0


def cmd_themes(args: argparse.Namespace, settings: Settings) -> int:
    """Print the current themes (optionally re-clustering first), as a table or JSON."""
    import json

    from bot.reporting.report import theme_record
    from bot.reporting.text import themes_table
    from bot.services.insights import ThemeInsights

    session_factory, themes = _theme_service(settings)
    if args.recluster:
        result = themes.recluster(show_progress=args.format == "table")
        if not result.enough_data:
            print(result.message, file=sys.stderr)  # noqa: T201
        elif args.format == "table":
            kept = (
                ""
                if result.kept_fraction is None
                else f", {result.kept_fraction:.0%} kept their theme"
            )
            print(  # noqa: T201
                f"re-clustered {result.items} reports: {result.themes} themes, "
                f"{result.unassigned} unassigned, {result.created} new{kept}"
            )
    report = ThemeInsights(session_factory, min_reporters=settings.min_reporters).report(
        period="all"
    )
    if args.format == "json":
        sys.stdout.write(
            json.dumps([theme_record(t) for t in report.themes], indent=2, ensure_ascii=False)
            + "\n"
        )
    else:
        print(themes_table(report))  # noqa: T201
    return 0


COMMANDS: dict[str, Command] = {
    "report": cmd_report,
    "cluster": cmd_cluster,
    "embed": cmd_embed,
    "themes": cmd_themes,
}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    from bot.domain.themes import PERIODS
    from bot.reporting.report import FORMATS

    cluster = sub.add_parser("cluster", help="cluster any CSV offline, without the database")
    cluster.add_argument("file")
    cluster.add_argument("--text-column", required=True)
    cluster.add_argument("--out", default=None, help="write the rows with theme_id and theme_title")
    cluster.add_argument("--quiet", action="store_true", help="no progress bar")

    sub.add_parser("embed", help="embed reports that have no vector from the current model")

    themes = sub.add_parser("themes", help="the current themes")
    themes.add_argument("--recluster", action="store_true", help="re-cluster all reports first")
    themes.add_argument("--format", choices=["table", "json"], default="table")

    report = sub.add_parser("report", help="write the audit report")
    report.add_argument("--format", choices=FORMATS, default="html")
    report.add_argument("--out", default=None, help="file to write (default: standard output)")
    report.add_argument("--period", choices=sorted(PERIODS), default="all")
    report.add_argument("--team", default=None)
