"""Command-line verbs for nudges: `nudges schedule|list|cancel|stats`, `lessons validate`.

Worded for a terminal: commands to type are `painpoint …` ones, people and channels are
shown as their ids, and a value that is not there yet reads "—", never "None%".
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import CliError, Command, SubParsers, out, record_read, require_secret_key
from bot.cli.database import open_database
from bot.settings import Settings
from bot.terminal import terminal_width

if TYPE_CHECKING:
    from bot.db.session import SessionFactory
    from bot.domain.nudges import CampaignView, LessonStats
    from bot.services.nudges import NudgeService

AT_HELP = (
    "an ISO 8601 date and time such as 2026-12-01T10:00 (read in --timezone) or "
    "2026-12-01T10:00+01:00, or now"
)
SHOWN_IDS = 12


def _service(
    settings: Settings, *, create: bool = False, session_factory: SessionFactory | None = None
) -> NudgeService:
    """Only scheduling may create the database; listing and stats never do."""
    from bot.app import build_nudge_service

    require_secret_key(settings)
    return build_nudge_service(settings, session_factory or open_database(settings, create=create))


def parse_at(text: str) -> datetime | None:
    """`now` → None; otherwise ISO-8601 (a trailing Z means UTC). ValueError if neither."""
    if text.strip().casefold() == "now":
        return None
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"--at {text!r} is not a date and time; use {AT_HELP}") from None


def parse_quiet(text: str | None) -> tuple[str | None, str | None]:
    """`20:00-08:00` → ("20:00", "08:00")."""
    if not text:
        return None, None
    start, sep, end = text.replace("–", "-").partition("-")
    if not sep:
        raise ValueError(f"--quiet-hours {text!r}: quiet hours look like 20:00-08:00")
    return start.strip(), end.strip()


def audience_text(audience: Sequence[str]) -> str:
    """Who a campaign goes to, in words a terminal shows as they are."""
    parts = []
    for entry in audience[:SHOWN_IDS]:
        if entry.startswith("theme:"):
            parts.append(f"the opted-in reporters of theme {entry.removeprefix('theme:')}")
        elif entry[:1] in {"C", "G"}:
            parts.append(f"channel {entry}")
        elif entry[:1] == "S":
            parts.append(f"user group {entry}")
        else:
            parts.append(f"user {entry}")
    if len(audience) > SHOWN_IDS:
        parts.append(f"and {len(audience) - SHOWN_IDS} more")
    return ", ".join(parts) or "nobody"


def pct(value: float | None) -> str:
    """A percentage, or "—" when there is nothing to divide by yet."""
    return "—" if value is None else f"{value:.0f}%"


def _check_content(service: NudgeService, args: argparse.Namespace) -> None:
    """An unknown lesson or track is named, with the ids there are."""
    library = service.library
    kind, wanted, known = (
        ("lesson", args.lesson, sorted(library.lessons))
        if args.lesson
        else ("track", args.track, sorted(library.tracks))
    )
    if wanted not in known:
        raise CliError(
            f"there is no {kind} {wanted!r} in the library; {kind}s: {', '.join(known) or 'none'}"
            " (`painpoint lessons validate` lists problems with the files)"
        )


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    """Schedule a lesson or track for an audience."""
    from bot.domain.nudges import ScheduleInputError, ScheduleRequest
    from bot.domain.schedule import ScheduleError, parse_time

    try:
        at = parse_at(args.at) if args.at else None
        quiet_start, quiet_end = parse_quiet(args.quiet_hours)
        quiet = (
            (parse_time(quiet_start), parse_time(quiet_end))
            if quiet_start and quiet_end
            else (None, None)
        )
    except (ValueError, ScheduleError) as exc:
        raise CliError(str(exc)) from None
    service = _service(settings, create=True)
    _check_content(service, args)
    request = ScheduleRequest(
        content=f"lesson:{args.lesson}" if args.lesson else f"track:{args.track}",
        audience=[args.audience],
        when="cron" if args.cron else ("at" if at is not None else "now"),
        at=at,
        cron=args.cron,
        local_time=args.local_time,
        skip_weekends=args.skip_weekends,
        quiet_start=quiet[0],
        quiet_end=quiet[1],
        timezone=args.timezone or settings.timezone,
    )
    try:
        campaign = service.schedule(request, created_by="cli")
    except ScheduleInputError as exc:
        problems = "; ".join(f"{field}: {message}" for field, message in exc.errors.items())
        raise CliError(f"cannot schedule that: {problems}") from None
    out(
        f"campaign #{campaign.id} scheduled: {campaign.content} for "
        f"{audience_text(campaign.audience)}, {campaign.schedule}."
    )
    out(
        f"Follow it with `painpoint nudges stats {campaign.id}`; "
        f"stop it with `painpoint nudges cancel {campaign.id}`."
    )
    return 0


def _listing(campaigns: list[CampaignView]) -> list[str]:
    from bot.reporting.text import Column, fit_table

    columns = [
        Column("id", ">"),
        Column("status"),
        Column("next run"),
        Column("sent/pending/failed"),
        Column("content", flex=2),
        Column("schedule", flex=2),
    ]
    rows = [
        [
            f"#{c.id}",
            c.status,
            c.next_run_at.strftime("%Y-%m-%d %H:%M") if c.next_run_at else "—",
            "/".join(str(c.counts.get(k, 0)) for k in ("sent", "pending", "failed")),
            c.content,
            c.schedule,
        ]
        for c in campaigns
    ]
    return fit_table(columns, rows, terminal_width())


def _stats_rows(items: Sequence[LessonStats]) -> list[str]:
    from bot.reporting.text import Column, fit_table

    columns = [
        Column("lesson", flex=1),
        Column("delivered", ">"),
        Column("helpful", ">"),
        Column("done", ">"),
        Column("quiz correct", ">"),
        Column("concerns", ">"),
    ]
    rows = [
        [
            item.title,
            str(item.delivered),
            pct(item.helpful_pct),
            pct(item.done_pct),
            pct(item.quiz_correct_pct) if item.has_quiz or item.quiz_answered else "no quiz",
            "hidden" if item.concerns is None else str(item.concerns),
        ]
        for item in items
    ]
    return fit_table(columns, rows, terminal_width())


def cmd_nudges(args: argparse.Namespace, settings: Settings) -> int:
    """Schedule, list, cancel or show statistics of nudge campaigns."""
    if args.action == "schedule":
        return cmd_schedule(args, settings)
    session_factory = open_database(settings, create=False)
    service = _service(settings, session_factory=session_factory)
    if args.action == "list":
        campaigns = service.list_campaigns(include_ended=args.all, limit=args.limit)
        if not campaigns:
            out("no campaigns yet; schedule one with `painpoint nudges schedule`")
        else:
            for line in _listing(campaigns):
                out(line)
        return 0
    if args.action == "cancel":
        if service.cancel(args.id) is None:
            raise CliError(
                f"there is no campaign #{args.id}; `painpoint nudges list --all` shows them"
            )
        out(f"campaign #{args.id} cancelled")
        return 0
    stats = service.stats(args.id)
    if stats is None:
        raise CliError(f"there is no campaign #{args.id}; `painpoint nudges list --all` shows them")
    record_read(session_factory, "cli_nudge_stats", campaign=args.id)
    for line in _stats_rows([stats.totals, *stats.lessons]):
        out(line)
    if any(item.concerns is None for item in [stats.totals, *stats.lessons]):
        out(f"(concerns raised by fewer than {stats.min_reporters} people are hidden)")
    return 0


def cmd_lessons(args: argparse.Namespace, settings: Settings) -> int:
    """`lessons validate [DIR]`: every problem with file and field; exit code 1 on any."""
    from bot.blocks.nudge import slack_problems
    from bot.domain.lessons import load_library

    directory = (
        Path(args.dir)
        if args.dir
        else (Path(settings.lessons_dir) if settings.lessons_dir else None)
    )
    library = load_library(directory, check=slack_problems)
    for problem in library.problems:
        out(str(problem))
    if library.problems:
        out(
            f"{len(library.problems)} problems; "
            f"{len(library.lessons)} lessons and {len(library.tracks)} tracks are valid"
        )
        return 1
    out(f"ok: {len(library.lessons)} lessons and {len(library.tracks)} tracks")
    return 0


COMMANDS: dict[str, Command] = {
    "nudges": cmd_nudges,
    "lessons": cmd_lessons,
}


def add_parsers(sub: SubParsers) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    nudges = sub.add_parser("nudges", help="schedule and manage training nudges")
    actions = nudges.add_subparsers(dest="action", required=True, metavar="ACTION")
    schedule = actions.add_parser("schedule", help="schedule a lesson or a track")
    content = schedule.add_mutually_exclusive_group(required=True)
    content.add_argument("--lesson", help="lesson id (see training_content/lessons)")
    content.add_argument("--track", help="track id (see training_content/tracks)")
    schedule.add_argument(
        "--audience", required=True, help="comma-separated U…, C…, S… ids and theme:<id>"
    )
    when = schedule.add_mutually_exclusive_group()
    when.add_argument("--at", default=None, help=f"{AT_HELP} (default: now)")
    when.add_argument(
        "--cron", default=None, help='a crontab expression such as "0 10 * * 2" (default: none)'
    )
    schedule.add_argument(
        "--local-time",
        action="store_true",
        help="read --at and --cron in each recipient's own time zone (default: --timezone)",
    )
    schedule.add_argument(
        "--skip-weekends", action="store_true", help="skip each recipient's weekend"
    )
    schedule.add_argument(
        "--quiet-hours",
        default=None,
        help="e.g. 20:00-08:00, in the recipient's zone (default: none)",
    )
    schedule.add_argument(
        "--timezone", default=None, help="IANA time zone (default: PAINPOINT_TIMEZONE)"
    )
    listing = actions.add_parser("list", help="campaigns, newest first")
    listing.add_argument("--all", action="store_true", help="include finished and cancelled")
    listing.add_argument("--limit", type=int, default=50, help="at most (default: %(default)s)")
    cancel = actions.add_parser("cancel", help="stop a campaign")
    cancel.add_argument("id", type=int, help="the campaign's number")
    stats = actions.add_parser("stats", help="engagement of a campaign")
    stats.add_argument("id", type=int, help="the campaign's number")

    lessons = sub.add_parser("lessons", help="the lesson library")
    lesson_actions = lessons.add_subparsers(dest="action", required=True, metavar="ACTION")
    validate = lesson_actions.add_parser("validate", help="check lessons and tracks")
    validate.add_argument(
        "dir", nargs="?", default=None, help="content folder (default: PAINPOINT_LESSONS_DIR)"
    )
