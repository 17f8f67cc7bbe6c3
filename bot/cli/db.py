"""`painpoint db upgrade|downgrade|current`: migrations, with a guard against dropping data."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, Command, SubParsers, out
from bot.settings import Settings


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """Apply, revert or show migrations; reverting to `base` needs `--yes`."""
    from bot.db import migrate

    if args.action == "current":
        current = migrate.current_revisions(settings.database_url)
        out(", ".join(sorted(current)) if current else "(not migrated)")
        return 0
    if args.action == "upgrade":
        target = args.revision or "heads"
        migrate.upgrade(settings.database_url, target)
        out(f"database upgraded to {target}")
        return 0
    if args.revision is None:
        raise CliError(
            "db downgrade needs a revision, e.g. `painpoint db downgrade -1`; "
            "`painpoint db downgrade base --yes` drops every table"
        )
    if args.revision == "base" and not args.yes:
        raise CliError(
            "db downgrade base drops every table and all data in them; "
            "add --yes if that is what you want"
        )
    migrate.downgrade(settings.database_url, args.revision)
    out(f"database downgraded to {args.revision}")
    return 0


COMMANDS: dict[str, Command] = {"db": cmd_db}


def add_parsers(sub: SubParsers) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    db = sub.add_parser(
        "db",
        help="database migrations",
        description="Apply (upgrade), revert (downgrade) or show (current) Alembic migrations. "
        "Concurrent upgrades are safe: one migrates, the others wait.",
    )
    db.add_argument(
        "action",
        choices=["upgrade", "downgrade", "current"],
        help="upgrade: apply migrations; downgrade: revert them; current: show the revision",
    )
    db.add_argument(
        "revision",
        nargs="?",
        default=None,
        help="target revision: an id, a relative step such as -1, head(s) or base "
        "(default for upgrade: heads; downgrade has no default)",
    )
    db.add_argument(
        "--yes", action="store_true", help="confirm `downgrade base`, which drops every table"
    )
