"""The `painpoint` command line: the parser, logging and the one error path.

Each command group is a module exposing `COMMANDS` and `add_parsers(sub)`; register a new
group by adding it to `GROUPS`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol

from bot.cli import cluster as cli_cluster
from bot.cli import data as cli_data
from bot.cli import db as cli_db
from bot.cli import demo as cli_demo
from bot.cli import nudges as cli_nudges
from bot.cli import pilots as cli_pilots
from bot.cli import privacy as cli_privacy
from bot.cli import serve as cli_serve
from bot.cli import themes as cli_themes
from bot.cli.common import Command, SubParsers
from bot.cli.database import close_databases
from bot.cli.errors import EXIT_INTERRUPTED, explain
from bot.domain.text import without_row_values
from bot.settings import Settings, SettingsError, load_settings


class CommandGroup(Protocol):
    """A module of sub-commands."""

    COMMANDS: dict[str, Command]

    def add_parsers(self, sub: SubParsers) -> None: ...


GROUPS: tuple[CommandGroup, ...] = (
    cli_serve,
    cli_db,
    cli_data,
    cli_themes,
    cli_cluster,
    cli_nudges,
    cli_pilots,
    cli_privacy,
    cli_demo,
)
COMMANDS: dict[str, Command] = {
    name: command for group in GROUPS for name, command in group.COMMANDS.items()
}


def package_version() -> str:
    """The installed painpoint version."""
    try:
        return version("painpoint")
    except PackageNotFoundError:
        return "unknown"


class SafeFormatter(logging.Formatter):
    """Formats records without the lines a database error adds to quote a row's values."""

    def format(self, record: logging.LogRecord) -> str:
        return without_row_values(super().format(record))


def configure_logging(settings: Settings, *, level: str | None = None) -> None:
    """Log to stderr; Slack client libraries never log request bodies (they hold raw text)."""
    logging.basicConfig(
        level=level or settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    # The model loads from the package on disk; its progress bars and hub chatter are noise.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    for noisy in ("slack_sdk", "slack_bolt", "painpoint.bolt", "urllib3", "httpx"):
        logging.getLogger(noisy).setLevel(
            max(logging.INFO, logging.getLevelName(settings.log_level))
        )


# Long-running processes log at PAINPOINT_LOG_LEVEL; a one-off command prints its own
# progress and result, so its log shows warnings only unless a level is asked for.
SERVERS = frozenset({"run", "worker"})


def _log_level(settings: Settings, command: str, *, verbose: bool) -> str:
    explicit = verbose or "log_level" in settings.model_fields_set
    return settings.log_level if explicit or command in SERVERS else "WARNING"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = argparse.ArgumentParser(
        prog="painpoint",
        description="Collect what slows people down and find its themes. "
        "Settings come from the environment and .env (see the README's Configuration).",
    )
    parser.add_argument("--version", action="version", version=f"painpoint {package_version()}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="debug logging, and the traceback of any failure (same as PAINPOINT_LOG_LEVEL=debug)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `painpoint` console script."""
    args = build_parser().parse_args(argv)
    settings: Settings | None = None
    verbose = bool(args.verbose)
    try:
        overrides = {"PAINPOINT_LOG_LEVEL": "DEBUG"} if verbose else {}
        settings = load_settings(**overrides)
        verbose = verbose or settings.log_level == "DEBUG"
        configure_logging(settings, level=_log_level(settings, args.command, verbose=verbose))
        return COMMANDS[args.command](args, settings)
    except KeyboardInterrupt:
        print("painpoint: interrupted", file=sys.stderr)  # noqa: T201
        return EXIT_INTERRUPTED
    except SettingsError as exc:
        return _report(exc, settings, verbose=verbose)
    except Exception as exc:
        return _report(exc, settings, verbose=verbose)
    finally:
        close_databases()


def _report(exc: BaseException, settings: Settings | None, *, verbose: bool) -> int:
    if isinstance(exc, BrokenPipeError):
        # Python would complain again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    error = explain(exc, settings)
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    print(f"painpoint: {error.message}", file=sys.stderr)  # noqa: T201
    return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
