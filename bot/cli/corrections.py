"""`painpoint themes rename | merge | split | move`: a manager's corrections from the server,
logged in theme history under the operating-system login."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, out
from bot.cli.database import open_database
from bot.settings import Settings


def run_correction(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the correction named by `args.action`; a refusal is one line and exit code 2."""
    from bot.services.audit_log import cli_actor
    from bot.services.theme_corrections import CorrectionError, ThemeCorrections
    from clustering.embedding import resolve_model

    session_factory = open_database(settings, create=False)
    corrections = ThemeCorrections(
        session_factory,
        min_reporters=settings.min_reporters,
        embedding_model=resolve_model(settings.embedding_model)[0],
    )
    actor = cli_actor()
    try:
        if args.action == "rename":
            done = corrections.rename(theme_id=args.theme, title=args.title, actor=actor)
        elif args.action == "merge":
            done = corrections.merge(into=args.theme, others=args.others, actor=actor)
        elif args.action == "split":
            done = corrections.split(theme_id=args.theme, actor=actor)
        else:
            done = corrections.move(painpoint_id=args.report, theme_id=args.theme, actor=actor)
    except CorrectionError as exc:
        raise CliError(str(exc)) from None
    out(done.message)
    return 0


def add_actions(themes: argparse.ArgumentParser) -> None:
    """The correction verbs under `painpoint themes`."""
    actions = themes.add_subparsers(dest="action", metavar="ACTION", required=False)
    rename = actions.add_parser("rename", help="give a theme a title that re-clustering keeps")
    rename.add_argument("theme", type=int, metavar="ID", help="the theme's number")
    rename.add_argument("title", help="the new title (quote it)")
    merge = actions.add_parser("merge", help="move every report of other themes into ID for good")
    merge.add_argument("theme", type=int, metavar="ID", help="the theme that stays")
    merge.add_argument("others", type=int, nargs="+", metavar="OTHER", help="themes merged into it")
    split = actions.add_parser("split", help="split a theme in two by meaning")
    split.add_argument("theme", type=int, metavar="ID", help="the theme to split")
    move = actions.add_parser("move", help="put one report in another theme for good")
    move.add_argument("report", type=int, metavar="REPORT_ID", help="the report's number")
    move.add_argument("theme", type=int, metavar="THEME_ID", help="the theme it belongs in")
