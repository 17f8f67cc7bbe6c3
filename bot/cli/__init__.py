"""The `painpoint` command line: run the bot, migrate, import, export and the demo."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.cli import nudges as cli_nudges
from bot.cli import themes as cli_themes
from bot.services.exports import export_concerns, export_deliveries
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.db.session import SessionFactory

EXIT_USAGE = 2
Exported = tuple[Iterable[dict[str, Any]], Sequence[str]]
Command = Callable[[argparse.Namespace, Settings], int]


def _fail(message: str) -> int:
    print(f"painpoint: {message}", file=sys.stderr)  # noqa: T201
    return EXIT_USAGE


def configure_logging(settings: Settings) -> None:
    """Log to stderr; Slack client libraries never log request bodies (they hold raw text)."""
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
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


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve Slack (Socket Mode or HTTP) after applying migrations."""
    from bot.runtime import run

    return run(settings, http=args.http, port=args.port, host=args.host, worker=not args.no_worker)


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """Apply or revert migrations."""
    from bot.db import migrate

    if args.action == "upgrade":
        migrate.upgrade(settings.database_url, args.revision or "head")
    else:
        migrate.downgrade(settings.database_url, args.revision or "base")
    target = args.revision or ("head" if args.action == "upgrade" else "base")
    print(f"database {args.action}d to {target}")  # noqa: T201
    return 0


def _open_out(path: str | None) -> TextIO | nullcontext[TextIO]:
    if path is None or path == "-":
        return nullcontext(sys.stdout)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return open(path, "w", encoding="utf-8", newline="")


def _export_painpoints(session_factory: SessionFactory, settings: Settings) -> Exported:
    from bot.services import transfer

    del settings
    return transfer.painpoint_records(session_factory), transfer.EXPORT_FIELDS


def _export_themes(session_factory: SessionFactory, settings: Settings) -> Exported:
    from bot.reporting.report import THEME_FIELDS, theme_record
    from bot.services.insights import ThemeInsights

    insights = ThemeInsights(session_factory, min_reporters=settings.min_reporters)
    report = insights.report(period="all", with_history=True)
    return (theme_record(theme) for theme in report.themes), THEME_FIELDS


# What `painpoint export --what X` can write; every exporter applies its own privacy rules.
EXPORTERS: dict[str, Callable[[SessionFactory, Settings], Exported]] = {
    "painpoints": _export_painpoints,
    "themes": _export_themes,
    "concerns": export_concerns,
    "deliveries": export_deliveries,
}


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write stored data as JSON or CSV."""
    from bot.db.session import make_engine, make_session_factory
    from bot.services import transfer

    engine = make_engine(settings.database_url)
    _require_migrated(engine)
    records, fields = EXPORTERS[args.what](make_session_factory(engine), settings)
    with _open_out(args.out) as out:
        count = transfer.write_records(records, fields, args.format, out)
    if args.out:
        print(f"wrote {count} {args.what} to {args.out}", file=sys.stderr)  # noqa: T201
    return 0


def _require_migrated(engine: object) -> None:
    from sqlalchemy import Engine

    from bot.db.migrate import is_up_to_date, upgrade

    assert isinstance(engine, Engine)
    if not is_up_to_date(engine):
        upgrade(engine.url.render_as_string(hide_password=False))


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a survey export CSV."""
    from bot.db.session import make_engine, make_session_factory
    from bot.services import transfer

    if settings.secret_key is None:
        return _fail("PAINPOINT_SECRET_KEY is not set; it keys reporter pseudonyms")
    path = Path(args.file)
    try:
        rows = transfer.read_import_csv(
            path, text_column=args.text_column, reporter_column=args.reporter_column
        )
    except transfer.ImportFileError as exc:
        return _fail(str(exc))
    engine = make_engine(settings.database_url)
    _require_migrated(engine)
    report = transfer.import_painpoints(
        make_session_factory(engine),
        rows,
        secret_key=settings.secret_key,
        source_name=path.name,
        max_text_length=settings.max_text_length,
        progress=not args.quiet,
    )
    print(  # noqa: T201
        f"imported {report.imported} of {len(rows)} rows "
        f"({report.duplicates} duplicates, {report.empty} empty, {report.too_long} too long skipped)"
    )
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Run the main job on bundled sample data with embedded defaults."""
    from bot.demo.run import run_demo

    return run_demo(settings, database_path=Path(args.database))


COMMANDS: dict[str, Command] = {
    "run": cmd_run,
    "db": cmd_db,
    "export": cmd_export,
    "import": cmd_import,
    "demo": cmd_demo,
    **cli_themes.COMMANDS,
    **cli_nudges.COMMANDS,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = argparse.ArgumentParser(
        prog="painpoint", description="Collect what slows people down and find its themes."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="serve Slack (Socket Mode, or HTTP with --http)")
    run.add_argument(
        "--http", action="store_true", help="serve HTTP even if SLACK_APP_TOKEN is set"
    )
    run.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    run.add_argument("--host", default="0.0.0.0", help="HTTP address (default 0.0.0.0)")
    run.add_argument(
        "--no-worker", action="store_true", help="do not schedule or send nudges in this process"
    )

    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?", default=None)

    export = sub.add_parser("export", help="export stored data")
    export.add_argument("--what", default="painpoints", choices=sorted(EXPORTERS))
    export.add_argument("--format", default="json", choices=["json", "csv"])
    export.add_argument("--out", default=None, help="file to write (default: standard output)")

    imp = sub.add_parser("import", help="import a survey export (CSV)")
    imp.add_argument("file")
    imp.add_argument("--text-column", required=True)
    imp.add_argument("--reporter-column", default=None)
    imp.add_argument("--quiet", action="store_true", help="no progress bar")

    cli_themes.add_parsers(sub)
    cli_nudges.add_parsers(sub)

    demo = sub.add_parser("demo", help="run on bundled sample data, no Slack needed")
    demo.add_argument("--database", default="var/demo.db", help="SQLite file for the demo")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `painpoint` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    configure_logging(settings)
    command: Command = COMMANDS[args.command]
    return command(args, settings)


if __name__ == "__main__":
    sys.exit(main())
