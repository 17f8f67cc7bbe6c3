"""Engines never put SQL parameters (report text) into exception messages, so into logs."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.db.session import make_engine


def test_a_failing_statement_does_not_show_its_parameters(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with pytest.raises(SQLAlchemyError) as failure, engine.begin() as connection:
            connection.execute(
                text("INSERT INTO painpoints (id, text) VALUES (:id, :text)"),
                {"id": 1, "text": "Ask Jane Doe about the invoices"},
            )
    finally:
        engine.dispose()
    assert "Jane Doe" not in str(failure.value)
    assert "hidden" in str(failure.value).lower() or "parameters" not in str(failure.value)
