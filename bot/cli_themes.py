"""Command-line verbs of the theme engine and the audit: themes, embed, cluster, report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bot.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]
EXIT_USAGE = 2


def _fail(message: str) -> int:
    print(f"painpoint: {message}", file=sys.stderr)  # noqa: T201
    return EXIT_USAGE


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """Write the audit report (html, md, csv or json) to a file or standard output."""
    from bot.db.migrate import upgrade
    from bot.db.session import make_engine, make_session_factory
    from bot.reporting.report import render
    from bot.services.insights import SliceTooSmall, ThemeInsights

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


COMMANDS: dict[str, Command] = {"report": cmd_report}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    from bot.reporting.report import FORMATS
    from bot.services.insights import PERIODS

    report = sub.add_parser("report", help="write the audit report")
    report.add_argument("--format", choices=FORMATS, default="html")
    report.add_argument("--out", default=None, help="file to write (default: standard output)")
    report.add_argument("--period", choices=sorted(PERIODS), default="all")
    report.add_argument("--team", default=None)
