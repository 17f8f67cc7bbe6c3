"""Command-line verbs of the theme engine and the audit over the database: themes, embed,
report."""

from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import (
    CliError,
    Command,
    SubParsers,
    check_out_path,
    note,
    out,
    record_read,
)
from bot.cli.corrections import add_actions
from bot.cli.database import open_database
from bot.settings import Settings
from bot.terminal import Stage, TerminalEmbedder, terminal_width

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from bot.db.session import SessionFactory
    from bot.domain.themes import Suggestion
    from bot.services.audit import LessonMatches
    from bot.services.themes import ThemeService


def resolve_team(
    session_factory: SessionFactory, settings: Settings, team: str | None
) -> str | None:
    """The team as stored, matched without regard to case; unknown teams list the known ones.

    Only teams with at least the minimum of reporters are listed or matched, so a small
    team's existence is not revealed (it gets the same answer as an unknown one).
    """
    if team is None:
        return None
    from bot.services.insights import ThemeInsights

    known = ThemeInsights(session_factory, min_reporters=settings.min_reporters)
    teams = known.teams_with_enough_reporters()
    match = next((t for t in teams if t.casefold() == team.strip().casefold()), None)
    if match is not None:
        return match
    listed = ", ".join(teams) if teams else "none yet"
    k = settings.min_reporters
    raise CliError(
        f"cannot report on that selection: no team {team!r} with at least {k} people "
        f"(a team with fewer than {k} people gets this same answer); "
        f"teams you can report on: {listed}"
    )


def lesson_matcher(settings: Settings, session_factory: SessionFactory) -> LessonMatches:
    """Lessons matching each theme, for "Did training help?"; the model loads only when a
    lesson was sent beyond one theme's reporters."""

    def matches(theme_ids: Sequence[int]) -> Mapping[int, Sequence[Suggestion]]:
        from bot.app import in_process_embedder
        from bot.domain.lessons import load_library
        from bot.services.suggestions import LessonSuggester

        library = load_library(settings.lessons_dir)
        suggester = LessonSuggester(session_factory, library, in_process_embedder(settings))
        return suggester.for_themes(theme_ids)

    return matches


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """Write the audit report (html, md, csv or json) to a file or standard output."""
    from bot.domain.themes import SliceTooSmall
    from bot.reporting.report import render
    from bot.services.insights import ThemeInsights

    if args.section != "themes" and args.format != "csv":
        raise CliError(
            f"--section {args.section} is for --format csv (the other formats hold every section)"
        )
    if args.out not in (None, "-"):
        check_out_path(Path(args.out))
    session_factory = open_database(settings, create=False)
    team = resolve_team(session_factory, settings, args.team)
    insights = ThemeInsights(
        session_factory,
        min_reporters=settings.min_reporters,
        lesson_matches=lesson_matcher(settings, session_factory),
    )
    try:
        report = insights.report(period=args.period, team=team, with_history=True)
    except SliceTooSmall as exc:
        raise CliError(f"cannot report on that selection: {exc}") from None
    record_read(
        session_factory,
        "cli_report",
        format=args.format,
        period=args.period,
        team=team,
        out=args.out,
    )
    document = render(report, args.format, args.section)
    if args.out in (None, "-"):
        sys.stdout.write(document)
        return 0
    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(document, encoding="utf-8")
    what = "report" if args.section == "themes" else f"{args.section} table"
    note(f"wrote the {args.format} {what} ({len(report.themes)} themes) to {target}")
    return 0


def _theme_service(
    settings: Settings, session_factory: SessionFactory, *, show: bool
) -> tuple[ThemeService, TerminalEmbedder]:
    from bot.app import build_theme_service

    # The service keeps its own bar across batches; the embedder says when the model loads.
    embedder = TerminalEmbedder(settings.embedding_model, show=show, bar=False)
    service = build_theme_service(settings, session_factory, embedder_factory=lambda: embedder)
    return service, embedder


def _embed_pending(themes: ThemeService, embedder: TerminalEmbedder, *, show: bool) -> int:
    """Embed what lacks a vector from the current model, loading the model only if needed."""
    if not themes.embeddings.pending_ids():
        return 0
    embedder.load()
    return themes.embeddings.embed_pending(show_progress=show)


def last_clustered(session_factory: SessionFactory) -> datetime | None:
    """When the last full re-clustering of pain points finished (None: never)."""
    from sqlalchemy import func, select

    from bot.db.models import ClusteringRun

    with session_factory() as session:
        return session.scalar(
            select(func.max(ClusteringRun.started_at)).where(ClusteringRun.kind == "painpoint")
        )


def cmd_embed(args: argparse.Namespace, settings: Settings) -> int:
    """Backfill embeddings (and re-embed rows made with another model)."""
    session_factory = open_database(settings, create=False)
    themes, embedder = _theme_service(settings, session_factory, show=not args.quiet)
    count = _embed_pending(themes, embedder, show=not args.quiet)
    out(f"embedded {count} reports with {themes.embeddings.model_name}")
    return 0


def cmd_themes(args: argparse.Namespace, settings: Settings) -> int:
    """Print the current themes (optionally re-clustering first), as a table or JSON; or apply
    a manager's correction (rename, merge, split, move)."""
    import json

    from bot.reporting.report import theme_record
    from bot.reporting.text import themes_table
    from bot.services.insights import ThemeInsights

    if getattr(args, "action", None):
        from bot.cli.corrections import run_correction

        return run_correction(args, settings)
    table = args.format == "table"
    session_factory = open_database(settings, create=False)
    if args.recluster:
        themes, embedder = _theme_service(settings, session_factory, show=table)
        _embed_pending(themes, embedder, show=table)
        _recluster(themes, show=table)
    report = ThemeInsights(session_factory, min_reporters=settings.min_reporters).report(
        period="all"
    )
    record_read(session_factory, "cli_themes", format=args.format)
    if not table:
        records = [theme_record(t) for t in report.themes]
        sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
        return 0
    clustered = last_clustered(session_factory) is not None
    out(themes_table(report, width=terminal_width(), clustered=clustered))
    return 0


def _recluster(themes: ThemeService, *, show: bool) -> None:
    stored = len(themes.embeddings.load()[0])
    with Stage(f"clustering {stored} reports", stream=None if show else io.StringIO()):
        result = themes.recluster(show_progress=False)
    if not result.enough_data:
        note(result.message)
        return
    if show:
        kept = (
            "" if result.kept_fraction is None else f", {result.kept_fraction:.0%} kept their theme"
        )
        note(
            f"re-clustered {result.items} reports: {result.themes} themes, "
            f"{result.unassigned} unassigned, {result.created} new{kept}"
        )  # fmt: skip


COMMANDS: dict[str, Command] = {
    "report": cmd_report,
    "embed": cmd_embed,
    "themes": cmd_themes,
}


def add_parsers(sub: SubParsers) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    from bot.domain.themes import PERIODS
    from bot.reporting.report import FORMATS
    from bot.reporting.tables import CSV_SECTIONS

    embed = sub.add_parser("embed", help="embed reports that have no vector from the current model")
    embed.add_argument("--quiet", action="store_true", help="no progress output")

    themes = sub.add_parser("themes", help="the current themes (minimum-reporter rule applied)")
    themes.add_argument("--recluster", action="store_true", help="re-cluster all reports first")
    themes.add_argument(
        "--format", choices=["table", "json"], default="table", help="(default: %(default)s)"
    )
    add_actions(themes)

    report = sub.add_parser("report", help="write the audit report")
    report.add_argument("--format", choices=FORMATS, default="html", help="(default: %(default)s)")
    report.add_argument("--out", default=None, help="file to write (default: standard output)")
    report.add_argument(
        "--section",
        choices=CSV_SECTIONS,
        default="themes",
        help="with --format csv: which table (default: %(default)s)",
    )
    report.add_argument(
        "--period", choices=sorted(PERIODS), default="all", help="(default: %(default)s)"
    )
    report.add_argument(
        "--team", default=None, help="one team, any letter case (default: every team)"
    )
