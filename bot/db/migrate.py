"""Apply and inspect Alembic migrations programmatically (used at start and by the CLI).

Every process migrates at start, so several may try at once (two web processes and a worker
on a fresh database). Migrations therefore run under a database-wide lock: a PostgreSQL
advisory lock, or an exclusive lock on a file beside the SQLite database. One process
migrates; the others wait, then find nothing left to do.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, pool, text
from sqlalchemy.engine import make_url

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent
# pg_advisory_lock key: "painpoint" as a number, so it does not collide with others' locks.
ADVISORY_LOCK_KEY = int.from_bytes(b"painpnt!", "big") & 0x7FFF_FFFF_FFFF_FFFF
logger = logging.getLogger(__name__)


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Migrate the database up to `revision`, one process at a time."""
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate the database down to `revision` (no default: `base` drops every table)."""
    with migration_lock(database_url):
        command.downgrade(alembic_config(database_url), revision)


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def head_revisions() -> set[str]:
    """The newest revision of each branch of the packaged migrations."""
    return set(_script().get_heads())


def known_revisions() -> list[str]:
    """Every packaged revision id, oldest first."""
    return [script.revision for script in reversed(list(_script().walk_revisions()))]


def current_revisions(database_url: str, *, engine: Engine | None = None) -> set[str]:
    """The revisions the database is at (empty when it was never migrated)."""
    own = engine is None
    engine = engine or create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        if own:
            engine.dispose()


def is_up_to_date(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    url = engine.url.render_as_string(hide_password=False)
    return current_revisions(url, engine=engine) == head_revisions()


@contextlib.contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Hold the database's migration lock (waiting for it) for the duration of the block."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        with _advisory_lock(database_url):
            yield
        return
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        with _file_lock(Path(url.database)):
            yield
        return
    yield


@contextlib.contextmanager
def _advisory_lock(database_url: str) -> Iterator[None]:
    engine = create_engine(database_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            key = {"key": ADVISORY_LOCK_KEY}
            if not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), key):
                logger.info("another process is migrating the database; waiting for it")
                connection.execute(text("SELECT pg_advisory_lock(:key)"), key)
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
    finally:
        engine.dispose()


@contextlib.contextmanager
def _file_lock(database: Path) -> Iterator[None]:
    """An exclusive flock on `<database>.migrate-lock`, released when the block ends.

    A separate file: closing a descriptor of the database file itself would drop the
    POSIX locks SQLite holds on it in this process.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: SQLite's own locking is all there is
        yield
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(database.name + ".migrate-lock"), "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("another process is migrating %s; waiting for it", database)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
