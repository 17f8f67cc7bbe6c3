"""A database error never brings a report's text into the logs: SQLAlchemy hides the
statement's parameters, and the formatter drops the lines PostgreSQL adds to quote a row."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.cli import SafeFormatter
from bot.db.session import make_engine

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
