"""Command-line verbs for nudges: `nudges schedule|list|cancel|stats`, `lessons validate`,
`worker`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services.nudges import NudgeService

Command = Callable[[argparse.Namespace, Settings], int]
EXIT_USAGE = 2


def _out(text: str) -> None:
    print(text)  # noqa: T201


def _fail(message: str) -> int:
    print(f"painpoint: {message}", file=sys.stderr)  # noqa: T201
    return EXIT_USAGE


def _service(settings: Settings) -> NudgeService:
    from bot.app import build_nudge_service
    from bot.db.migrate import is_up_to_date, upgrade
    from bot.db.session import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    if not is_up_to_date(engine):
        upgrade(settings.database_url)
    return build_nudge_service(settings, make_session_factory(engine))


def parse_at(text: str) -> datetime | None:
    """`now` → None; otherwise ISO-8601 (a trailing Z means UTC). ValueError if neither."""
    if text.strip().casefold() == "now":
        return None
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    return datetime.fromisoformat(cleaned)


def parse_quiet(text: str | None) -> tuple[str | None, str | None]:
    """`20:00-08:00` → ("20:00", "08:00")."""
    if not text:
        return None, None
    start, sep, end = text.replace("–", "-").partition("-")
    if not sep:
        raise ValueError("quiet hours look like 20:00-08:00")
    return start.strip(), end.strip()


def cmd_nudges(args: argparse.Namespace, settings: Settings) -> int:
    """Schedule, list, cancel or show statistics of nudge campaigns."""
    from bot.blocks.nudge_schedule import scheduled_text
    from bot.domain.nudges import ScheduleInputError, ScheduleRequest
    from bot.domain.schedule import ScheduleError, parse_time

    if settings.secret_key is None:
        return _fail("PAINPOINT_SECRET_KEY is not set; it keys reporter pseudonyms")
    service = _service(settings)
    if args.action == "list":
        campaigns = service.list_campaigns(include_ended=args.all, limit=args.limit)
        if not campaigns:
            _out("no campaigns")
        for campaign in campaigns:
            counts = ", ".join(f"{k} {v}" for k, v in sorted(campaign.counts.items())) or "-"
            nxt = campaign.next_run_at.isoformat() if campaign.next_run_at else "-"
            _out(
                f"#{campaign.id}\t{campaign.status}\t{campaign.content}\t{campaign.schedule}"
                f"\tnext {nxt}\t{counts}"
            )
        return 0
    if args.action == "cancel":
        cancelled = service.cancel(args.id)
        if cancelled is None:
            return _fail(f"there is no campaign #{args.id}")
        _out(f"campaign #{args.id} cancelled")
        return 0
    if args.action == "stats":
        stats = service.stats(args.id)
        if stats is None:
            return _fail(f"there is no campaign #{args.id}")
        for item in [stats.totals, *stats.lessons]:
            _out(
                f"{item.title}\tdelivered {item.delivered}\thelpful {item.helpful_pct}%"
                f"\tdone {item.done_pct}%\tquiz correct {item.quiz_correct_pct}%"
                f"\tconcerns {item.concerns if item.concerns is not None else 'hidden'}"
            )
        return 0
    # schedule
    try:
        at = parse_at(args.at) if args.at else None
        quiet_start, quiet_end = parse_quiet(args.quiet_hours)
        quiet = (
            (parse_time(quiet_start), parse_time(quiet_end))
            if quiet_start and quiet_end
            else (None, None)
        )
    except (ValueError, ScheduleError) as exc:
        return _fail(str(exc))
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
        for field, message in exc.errors.items():
            print(f"painpoint: {field}: {message}", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    _out(scheduled_text(campaign).replace("*", ""))
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
        _out(str(problem))
    if library.problems:
        _out(
            f"{len(library.problems)} problems; {len(library.lessons)} lessons and {len(library.tracks)} tracks are valid"
        )
        return 1
    _out(f"ok: {len(library.lessons)} lessons and {len(library.tracks)} tracks")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run the nudge scheduler and dispatcher without serving Slack."""
    from bot.app import build_worker
    from bot.db import migrate
    from bot.db.session import make_engine, make_session_factory

    del args
    if not settings.slack_bot_token:
        return _fail("SLACK_BOT_TOKEN is not set (the xoxb- token from the app's OAuth page)")
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    worker = build_worker(settings, engine=engine, session_factory=make_session_factory(engine))
    return worker.run_forever()


COMMANDS: dict[str, Command] = {
    "nudges": cmd_nudges,
    "lessons": cmd_lessons,
    "worker": cmd_worker,
}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    nudges = sub.add_parser("nudges", help="schedule and manage training nudges")
    actions = nudges.add_subparsers(dest="action", required=True)
    schedule = actions.add_parser("schedule", help="schedule a lesson or a track")
    content = schedule.add_mutually_exclusive_group(required=True)
    content.add_argument("--lesson", help="lesson id")
    content.add_argument("--track", help="track id")
    schedule.add_argument(
        "--audience", required=True, help="comma-separated U…, C…, S… ids and theme:<id>"
    )
    when = schedule.add_mutually_exclusive_group()
    when.add_argument("--at", default=None, help="ISO-8601 date and time, or now (default)")
    when.add_argument("--cron", default=None, help='crontab expression, e.g. "0 10 * * 2"')
    schedule.add_argument(
        "--local-time", action="store_true", help="read times in each recipient's time zone"
    )
    schedule.add_argument("--skip-weekends", action="store_true")
    schedule.add_argument("--quiet-hours", default=None, help="e.g. 20:00-08:00")
    schedule.add_argument("--timezone", default=None, help="IANA zone (default PAINPOINT_TIMEZONE)")
    listing = actions.add_parser("list", help="campaigns, newest first")
    listing.add_argument("--all", action="store_true", help="include finished and cancelled")
    listing.add_argument("--limit", type=int, default=50)
    cancel = actions.add_parser("cancel", help="stop a campaign")
    cancel.add_argument("id", type=int)
    stats = actions.add_parser("stats", help="engagement of a campaign")
    stats.add_argument("id", type=int)

    lessons = sub.add_parser("lessons", help="the lesson library")
    lesson_actions = lessons.add_subparsers(dest="action", required=True)
    validate = lesson_actions.add_parser("validate", help="check lessons and tracks")
    validate.add_argument("dir", nargs="?", default=None, help="content directory")

    sub.add_parser("worker", help="run the nudge scheduler and dispatcher (no Slack serving)")
