"""`painpoint demo`: the whole job on bundled sample data, no Slack needed."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Command, SubParsers
from bot.settings import Settings


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Run the main job on bundled sample data with embedded defaults."""
    from bot.demo.run import run_demo

    return run_demo(settings, database_path=Path(args.database))


COMMANDS: dict[str, Command] = {"demo": cmd_demo}


def add_parsers(sub: SubParsers) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    demo = sub.add_parser(
        "demo",
        help="run on bundled sample data, no Slack needed",
        description="Import the bundled sample pain points into a fresh SQLite database, "
        "find themes, print a digest and write the HTML report next to the database.",
    )
    demo.add_argument(
        "--database",
        default="var/demo.db",
        help="SQLite file for the demo, replaced on each run (default: %(default)s)",
    )
