"""Opening the configured database for a command: read-only commands never create one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine, make_url

from bot.cli.common import CliError
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.db.session import SessionFactory


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL (None for PostgreSQL and in-memory SQLite)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def check_database_location(database_url: str, *, create: bool) -> None:
    """Refuse a SQLite path that is a typo before anything is created.

    A read-only command on a missing file says so instead of creating an empty database;
    a writing command creates the file but never a missing folder outside the project.
    """
    path = sqlite_path(database_url)
    if path is None or path.exists():
        return
    if not create:
        raise CliError(
            f"no database at {path}; check DATABASE_URL, or create it with `painpoint db upgrade`"
        )
    parent = next((p for p in path.parents if p.exists()), Path("."))
    if parent.resolve() != path.parent.resolve() and not _inside_working_directory(path):
        raise CliError(
            f"the folder {path.parent} does not exist; check DATABASE_URL or create the folder"
        )


def _inside_working_directory(path: Path) -> bool:
    try:
        path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return False
    return True


_OPENED: list[Engine] = []


def open_database(settings: Settings, *, create: bool) -> SessionFactory:
    """A session factory on the migrated database (migrating it first when it exists);
    `close_databases` closes its connections when the command is done."""
    from bot.db import migrate
    from bot.db.session import make_engine, make_session_factory

    check_database_location(settings.database_url, create=create)
    engine = make_engine(settings.database_url)
    _OPENED.append(engine)
    if not migrate.is_up_to_date(engine):
        migrate.upgrade(settings.database_url)
    return make_session_factory(engine)


def close_databases() -> None:
    """Close the connections of every database a command opened (`painpoint` runs commands
    in-process too, and each command's pool would otherwise outlive it)."""
    while _OPENED:
        _OPENED.pop().dispose()
