"""A database error never brings a report's text into the logs: SQLAlchemy hides the
statement's parameters, and the formatter drops the lines PostgreSQL adds to quote a row."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.cli import SafeFormatter
from bot.db.session import make_engine, make_session_factory, theme_writes

TEXT = "Ask Jane Doe about the invoices"


def test_a_failing_statement_is_logged_without_its_values(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with pytest.raises(SQLAlchemyError) as failure, engine.begin() as connection:
            connection.execute(
                text("INSERT INTO painpoints (id, text) VALUES (:id, :text)"),
                {"id": 1, "text": TEXT},
            )
    finally:
        engine.dispose()
    record = logging.LogRecord(
        "painpoint", logging.ERROR, __file__, 1, "failed: %r", (failure.value,), None
    )
    record.exc_info = (type(failure.value), failure.value, failure.value.__traceback__)

    logged = SafeFormatter("%(message)s").format(record)

    assert "Jane Doe" not in logged
    assert type(failure.value).__name__ in logged


def test_theme_writers_take_turns(database_url: str) -> None:
    """A re-clustering's check-then-write and a manager's correction never interleave."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    got_the_lock = threading.Event()

    def second_writer() -> None:
        with theme_writes(factory):
            got_the_lock.set()

    try:
        with theme_writes(factory):
            other = threading.Thread(target=second_writer)
            other.start()
            assert not got_the_lock.wait(0.5)  # held off while the first transaction is open
        other.join(10)
        assert got_the_lock.is_set()  # and let in once it ended
    finally:
        engine.dispose()
