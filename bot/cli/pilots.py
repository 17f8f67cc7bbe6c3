"""Command-line verbs for pilots and lenses: `pilots create|list|show|log|set|close`, `lenses`.

Bad input (an unknown theme or KPI, a target for a KPI the pilot lacks, an end before the
start, closing a closed pilot…) gets one `painpoint: …` line and exit code 2.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import TYPE_CHECKING

from bot.cli.common import CliError, Command, SubParsers, note, out, record_read
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.db.session import SessionFactory
    from bot.domain.pilots import PilotDraft
    from bot.services.pilots import PilotService


def _service(session_factory: SessionFactory, settings: Settings) -> PilotService:
    from bot.services.pilots import PilotService

    return PilotService(session_factory, min_reporters=settings.min_reporters)


def _id(text: str, what: str = "pilot") -> int:
    cleaned = text.strip().lstrip("#")
    if not cleaned.isdigit():
        raise CliError(f"{what} {text!r} is not a number")
    return int(cleaned)


def _draft(args: argparse.Namespace, today: date) -> PilotDraft:
    from bot.domain.pilots import (
        DEFAULT_LENGTH,
        PilotDraft,
        parse_assignments,
        parse_day,
        parse_kpi,
        parse_participants,
    )

    start = parse_day(args.start, "--start") if args.start else today
    return PilotDraft(
        theme_id=_id(args.theme, "theme"),
        owner=args.owner.strip(),
        objective=args.objective,
        kpis=tuple(parse_kpi(spec) for spec in args.kpi),
        start=start,
        end=parse_day(args.end, "--end") if args.end else start + DEFAULT_LENGTH,
        targets=parse_assignments(args.target or [], "--target"),
        baselines=parse_assignments(args.baseline or [], "--baseline"),
        participants=tuple(parse_participants(args.participants or [])),
        include_reporters=not args.no_reporters,
        pulse=args.pulse,
    )


def _edits(args: argparse.Namespace) -> dict[str, dict[str, float | None]]:
    """--baseline/--target KPI=VALUE items; `auto` (baseline) or `none` clears a value."""
    from bot.domain.pilots import parse_number

    edits: dict[str, dict[str, float | None]] = {}
    for field, items in (("baseline", args.baseline or []), ("target", args.target or [])):
        for item in items:
            name, sep, raw = item.rpartition("=")
            cleared = raw.strip().lower() in {"auto", "none", ""}
            value = None if cleared else parse_number(raw)
            if not sep or not name.strip() or (value is None and not cleared):
                raise CliError(f"--{field} {item!r} is not KPI=NUMBER (or KPI=none)")
            edits.setdefault(" ".join(name.split()), {})[field] = value
    return edits


def _describe(name: str, values: dict[str, float | None]) -> str:
    parts = []
    for field, value in values.items():
        shown = (
            f"{value:g}"
            if value is not None
            else ("from the theme's history" if field == "baseline" else "none")
        )
        parts.append(f"{field} {shown}")
    return f"{name}: " + ", ".join(parts)


def cmd_pilots(args: argparse.Namespace, settings: Settings) -> int:
    """Create, list, show, log to, adjust and close pilots."""
    from bot.cli.database import open_database
    from bot.domain.pilots import PilotError, parse_day, parse_number
    from bot.reporting.pilots import pilot_text, pilots_table

    session_factory = open_database(settings, create=False)
    try:
        service = _service(session_factory, settings)
        if args.action == "create":
            pilot = service.create(_draft(args, service.today()), created_by="cli")
            out(str(pilot.id))
            note(f"pilot #{pilot.id} started on theme #{pilot.theme_id}: {pilot.theme_title}")
        elif args.action == "list":
            record_read(session_factory, "cli_pilots", format=args.format)
            pilots = service.views()
            if args.format == "json":
                out(json.dumps([p.to_dict() for p in pilots], indent=2, ensure_ascii=False))
            else:
                out(pilots_table(pilots))
        elif args.action == "show":
            found = service.get(_id(args.id))
            if found is None:
                raise CliError(f"there is no pilot #{args.id}")
            record_read(session_factory, "cli_pilot", pilot=found.id, format=args.format)
            out(
                json.dumps(found.to_dict(), indent=2, ensure_ascii=False)
                if args.format == "json"
                else pilot_text(found)
            )
        elif args.action == "log":
            value = parse_number(args.value)
            if value is None:
                raise CliError(f"--value {args.value!r} is not a number")
            on = parse_day(args.date, "--date") if args.date else None
            service.log_value(_id(args.id), args.kpi, value, on=on, actor="cli")
            note(f"logged {value:g} for {args.kpi} on pilot #{args.id}")
        elif args.action == "set":
            edits = _edits(args)
            if not edits:
                raise CliError("name at least one --baseline or --target KPI=VALUE")
            service.set_kpis(_id(args.id), edits, actor="cli")
            note(f"pilot #{args.id}: " + "; ".join(_describe(name, v) for name, v in edits.items()))
        else:
            result = service.close(_id(args.id), verdict=args.verdict, note=args.note, actor="cli")
            note(
                f"pilot #{result.pilot.id} closed ({args.verdict}); the theme is now "
                f"{result.theme_status or 'unchanged'}; the closing message goes out with the worker"
            )
    except PilotError as exc:
        raise CliError(str(exc)) from None
    return 0


def cmd_lenses(args: argparse.Namespace, settings: Settings) -> int:
    """Suggest lenses for reports that have none, or set a theme's lens by hand."""
    from bot.app import in_process_embedder
    from bot.cli.database import open_database
    from bot.services.lenses import LensError, LensSuggester
    from clustering.embedding import resolve_model

    model_name, _ = resolve_model(settings.embedding_model)
    suggester = LensSuggester(
        open_database(settings, create=False), in_process_embedder(settings), model_name=model_name
    )
    if args.action == "suggest":
        changed = suggester.fill()
        out(
            f"gave a lens to {changed} reports (reports not embedded yet wait for `painpoint embed`)"
        )
        return 0
    try:
        changed = suggester.set_theme_lens(
            theme_id=_id(args.theme, "theme"), lens=args.lens, actor="cli"
        )
    except LensError as exc:
        raise CliError(str(exc)) from None
    out(f"theme #{args.theme}: {changed} reports now count under {args.lens}")
    return 0


COMMANDS: dict[str, Command] = {"pilots": cmd_pilots, "lenses": cmd_lenses}


def add_parsers(sub: SubParsers) -> None:
    """Add this module's sub-commands to the `painpoint` parser."""
    from bot.domain.pilots import PULSES

    pilots = sub.add_parser("pilots", help="start, follow and close pilots on themes")
    actions = pilots.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="start a pilot on a theme; prints its id")
    create.add_argument("--theme", required=True, help="theme id")
    create.add_argument("--owner", required=True, help="the owner's Slack user id (U…)")
    create.add_argument("--objective", required=True, help="what the pilot tries")
    create.add_argument(
        "--kpi",
        required=True,
        action="extend",
        nargs="+",
        help="reports, hours or custom:NAME:UNIT",
    )
    create.add_argument("--target", action="extend", nargs="+", help="KPI=VALUE")
    create.add_argument(
        "--baseline", action="extend", nargs="+", help="KPI=VALUE (default: the theme's history)"
    )
    create.add_argument("--start", default=None, help="YYYY-MM-DD (default today)")
    create.add_argument("--end", default=None, help="YYYY-MM-DD (default 8 weeks after the start)")
    create.add_argument("--participants", action="extend", nargs="+", help="U…,S… ids")
    create.add_argument(
        "--no-reporters", action="store_true", help="leave out the theme's opted-in reporters"
    )
    create.add_argument("--pulse", default="weekly", help=f"one of {', '.join(PULSES)}")
    listing = actions.add_parser("list", help="every pilot, newest first")
    listing.add_argument("--format", choices=["table", "json"], default="table")
    show = actions.add_parser("show", help="one pilot with its KPIs")
    show.add_argument("id")
    show.add_argument("--format", choices=["table", "json"], default="table")
    log = actions.add_parser("log", help="log a value of a custom KPI")
    log.add_argument("id")
    log.add_argument("--kpi", required=True)
    log.add_argument("--value", required=True)
    log.add_argument("--date", default=None, help="YYYY-MM-DD (default today)")
    edit = actions.add_parser("set", help="change KPIs' baselines and targets")
    edit.add_argument("id")
    edit.add_argument(
        "--baseline",
        action="extend",
        nargs="+",
        help="KPI=VALUE, or KPI=auto to take it from the theme's history again",
    )
    edit.add_argument("--target", action="extend", nargs="+", help="KPI=VALUE, or KPI=none")
    close = actions.add_parser("close", help="close a pilot with a verdict")
    close.add_argument("id")
    close.add_argument("--verdict", required=True, help="scale, iterate or stop")
    close.add_argument("--note", default=None)

    lenses = sub.add_parser("lenses", help="the audit lenses of reports")
    lens_actions = lenses.add_subparsers(dest="action", required=True)
    lens_actions.add_parser("suggest", help="suggest a lens for reports that have none")
    setter = lens_actions.add_parser("set", help="set the lens of every report of a theme")
    setter.add_argument("theme")
    setter.add_argument("lens")
