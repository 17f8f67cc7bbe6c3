"""Command-line verbs for privacy rights: `erase --user` (forget one person) and `audit-log`
(who read what)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.cli.common import CliError, Command, SubParsers, note, out, require_secret_key
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.domain.privacy import ErasureReport, ReadEntry

AUDIT_FIELDS = ("at", "actor", "surface", "detail")
_RELATIVE = re.compile(r"(\d{1,5})([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """`7d`, `24h`, `2w` (back from now), or an ISO 8601 date or time (UTC without offset)."""
    cleaned = text.strip()
    relative = _RELATIVE.fullmatch(cleaned.casefold())
    if relative:
        number, unit = relative.groups()
        return now - timedelta(**{_UNITS[unit]: int(number)})
    try:
        moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(
            f"--since {text!r} is neither a span like 7d, 24h or 2w nor an ISO 8601 date "
            "like 2026-03-01"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_erase(args: argparse.Namespace, settings: Settings) -> int:
    """Erase everything tied to one Slack user id."""
    from bot.cli.database import open_database
    from bot.domain.text import is_user_id
    from bot.services.erasure import ErasureService

    user = args.user.strip().upper()
    if not is_user_id(user):
        raise CliError(f"--user {args.user!r} is not a Slack user id (U… or W…)")
    secret_key = require_secret_key(settings, "erasing finds a person by their pseudonym")
    erasure = ErasureService(open_database(settings, create=False), secret_key=secret_key)
    report = erasure.erase(
        user,
        team_keys=[team.strip() for team in args.team or [] if team.strip()],
        import_reporters=args.import_reporter or [],
        dry_run=args.dry_run,
    )
    for line in erasure_lines(report, user):
        out(line)
    return 0


def erasure_lines(report: ErasureReport, user: str) -> list[str]:
    """What an erasure did (or, in a dry run, would do), one kind per line."""
    verb = "would erase" if report.dry_run else "erased"
    if not report.total:
        return [f"nothing tied to {user} was found"]
    lines = [f"{verb} {report.total} rows tied to {user}:"]
    lines += [f"  {what}: {number}" for what, number in report.lines()]
    if report.themes_recounted:
        lines.append(f"  themes recounted: {report.themes_recounted}")
    return lines


def cmd_audit_log(args: argparse.Namespace, settings: Settings) -> int:
    """Print the read audit, oldest first."""
    from bot.cli.database import open_database
    from bot.services.audit_log import ReadAuditLog

    since = parse_since(args.since, datetime.now(UTC)) if args.since else None
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be at least 1")
    log = ReadAuditLog(open_database(settings, create=False))
    entries = log.entries(since=since, limit=args.limit)
    if args.format == "table":
        for line in audit_table(entries):
            out(line)
        return 0
    from bot.services.transfer import write_records

    write_records((audit_record(entry) for entry in entries), AUDIT_FIELDS, args.format, sys.stdout)
    if not entries:
        note("no reads recorded" + (f" since {since:%Y-%m-%d %H:%M} UTC" if since else ""))
    return 0


def audit_record(entry: ReadEntry) -> dict[str, Any]:
    """One read as plain data."""
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "surface": entry.surface,
        "detail": entry.detail,
    }


def audit_table(entries: list[ReadEntry]) -> list[str]:
    """Reads as aligned text: when (UTC), who, what, details."""
    from bot.domain.privacy import READ_SURFACES

    if not entries:
        return ["no reads recorded"]
    rows = [
        (
            entry.at.strftime("%Y-%m-%d %H:%M"),
            entry.actor,
            READ_SURFACES.get(entry.surface, entry.surface),
            " ".join(f"{key}={json.dumps(value)}" for key, value in entry.detail.items()),
        )
        for entry in entries
    ]
    table = [("when (UTC)", "who", "what", "details"), *rows]
    widths = [max(len(row[column]) for row in table) for column in range(3)]
    return [
        "  ".join([*(row[i].ljust(widths[i]) for i in range(3)), row[3]]).rstrip() for row in table
    ]


COMMANDS: dict[str, Command] = {"erase": cmd_erase, "audit-log": cmd_audit_log}


def add_parsers(sub: SubParsers) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    erase = sub.add_parser(
        "erase",
        help="erase everything tied to one person",
        description="Erase one person's reports, details, concerns, nudge ratings and quiz "
        "answers, pilot answers and participation, and their Slack id wherever it is kept "
        "(keep-me-posted, signed concerns, nudges sent to them, nudge audiences). Their "
        "pseudonym is recomputed under every team key the bot has seen; themes are recounted.",
    )
    erase.add_argument("--user", required=True, help="the person's Slack user id (U… or W…)")
    erase.add_argument(
        "--team",
        action="append",
        metavar="KEY",
        help="also look under this team key (a workspace id T…, or E:<org id> on Enterprise "
        "Grid); only needed for rows older than the first request the bot saw from that "
        "team (repeatable)",
    )
    erase.add_argument(
        "--import-reporter",
        action="append",
        metavar="VALUE",
        help="also erase survey imports whose reporter column held this value, e.g. the "
        "person's e-mail address (repeatable; imports under the Slack id are always found)",
    )
    erase.add_argument(
        "--dry-run", action="store_true", help="count what would be erased, change nothing"
    )

    log = sub.add_parser(
        "audit-log",
        help="who read what: every manager and trainer read and every export",
        description="Print the read audit, oldest first: when (UTC), who (a Slack user id, or "
        "cli:<login> for the command line), which surface, and what was read.",
    )
    log.add_argument(
        "--since",
        default=None,
        help="only reads since then: 7d, 24h, 2w, or an ISO 8601 date or time "
        "(default: every read)",
    )
    log.add_argument(
        "--format",
        default="table",
        choices=["table", "json", "csv"],
        help="(default: %(default)s)",
    )
    log.add_argument("--limit", type=int, default=None, metavar="N", help="only the newest N reads")
