"""Long-running processes and their health: `run`, `worker`, `status`."""

from __future__ import annotations

import argparse

from bot.cli.common import Command, SubParsers
from bot.settings import Settings


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve Slack (Socket Mode or HTTP) after applying migrations."""
    from bot.runtime import run

    return run(
        settings,
        http=args.http,
        port=args.port,
        host=args.host,
        worker=not args.no_worker,
        health_file=args.health_file,
    )


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run the scheduled work (nudges, re-clustering, digests) without serving Slack."""
    from bot.runtime import run_worker

    return run_worker(settings, health_file=args.health_file)


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """Who holds the work lease, and whether the database is migrated."""
    from bot.cli.status import show_status

    return show_status(settings, fmt=args.format)


def _health_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--health-file",
        default=None,
        metavar="FILE",
        help="rewrite a small JSON heartbeat (pid, time, lease) in FILE every 5 s, removed "
        "on exit; a supervisor checks that it is fresh (default: none)",
    )


COMMANDS: dict[str, Command] = {"run": cmd_run, "worker": cmd_worker, "status": cmd_status}


def add_parsers(sub: SubParsers) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    run = sub.add_parser(
        "run",
        help="serve Slack (Socket Mode, or HTTP with --http)",
        description="Serve Slack. Socket Mode when SLACK_APP_TOKEN is set and --http is not "
        "given; otherwise HTTP. Migrates the database first (one process at a time).",
    )
    run.add_argument(
        "--http", action="store_true", help="serve HTTP even if SLACK_APP_TOKEN is set"
    )
    run.add_argument("--port", type=int, default=3000, help="HTTP port (default: %(default)s)")
    run.add_argument(
        "--host",
        default="0.0.0.0",
        help="HTTP address to listen on (default: %(default)s, every interface; "
        "use 127.0.0.1 behind a local proxy)",
    )
    run.add_argument(
        "--no-worker",
        action="store_true",
        help="do not run scheduled work (nudges, re-clustering, digests) in this process; "
        "run `painpoint worker` somewhere instead",
    )
    _health_file_option(run)

    worker = sub.add_parser(
        "worker",
        help="run scheduled work (nudges, re-clustering, digests) without serving Slack",
        description="Any number may run; the one holding the lease does the work, the others "
        "wait to take over.",
    )
    _health_file_option(worker)

    status = sub.add_parser("status", help="the work lease holder and the database's migration")
    status.add_argument(
        "--format", choices=["text", "json"], default="text", help="(default: %(default)s)"
    )
