"""Engine and session factory built from the database URL in settings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session, sessionmaker

SessionFactory = sessionmaker[Session]


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    url = make_url(database_url)
    # SQL parameters are report text: never in an exception message, so never in a log.
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "handle_error")
        def _drop_read_only_connections(context: ExceptionContext) -> None:
            # sqlite3 opens a file it may not write read-only, and such a connection stays
            # read-only after the permissions come back: treat it as lost, so the pool opens
            # a fresh one and the process recovers by itself.
            if "readonly database" in str(context.original_exception):
                context.is_disconnect = True

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


_SQLITE_WRITERS: dict[str, threading.Lock] = {}
_SQLITE_WRITERS_GUARD = threading.Lock()


def writer_lock(session_factory: SessionFactory) -> AbstractContextManager[object]:
    """A lock that serialises this process's writers on a SQLite file; a no-op elsewhere.

    SQLite allows one writer at a time and makes the others sleep in growing steps (up to
    100 ms) until the file is free; taking turns in-process instead keeps the slowest
    acknowledgements short. PostgreSQL handles concurrent writers itself.
    """
    bind = session_factory.kw.get("bind")
    if not isinstance(bind, Engine) or bind.url.get_backend_name() != "sqlite":
        return nullcontext()
    key = bind.url.render_as_string(hide_password=True)
    with _SQLITE_WRITERS_GUARD:
        return _SQLITE_WRITERS.setdefault(key, threading.Lock())


# Key of the PostgreSQL advisory lock that serialises writes to themes (see `theme_writes`).
THEMES_LOCK_KEY = 0x7041_7468  # "pAth"


@contextmanager
def theme_writes(session_factory: SessionFactory) -> Iterator[Session]:
    """A transaction that writes themes, taking turns with every other one.

    A re-clustering checks that no manager corrected themes while it ran and then writes;
    a correction committed between that check and the write would be overwritten. On
    SQLite `writer_lock` serialises them within the one process that may write; on
    PostgreSQL a transaction advisory lock does, across processes.
    """
    with writer_lock(session_factory), session_factory() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": THEMES_LOCK_KEY})
        yield session


def make_session_factory(engine: Engine) -> SessionFactory:
    """A session factory whose sessions keep loaded values usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
