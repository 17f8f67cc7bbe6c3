"""Migration 0005: old categories become lenses, stored reports keep their reporter's choice,
and a downgrade returns what it can."""

from __future__ import annotations

from sqlalchemy import text

from bot.db import migrate
from bot.db.session import make_engine

INSERT = text(
    "INSERT INTO painpoints (text, text_hash, source, category, reporter, keep_posted, "
    "created_at, updated_at, pending_scrub) VALUES (:text, :hash, 'slash', :category, 'r', "
    ":no, '2026-01-01 00:00:00', '2026-01-01 00:00:00', :no)"
)
OLD = {
    "a": "workflow_bottleneck",
    "b": "customer_facing",
    "c": "tools_systems",
    "d": "other",
    "e": None,
}


def test_old_categories_map_to_lenses_and_back(empty_database: str) -> None:
    migrate.upgrade(empty_database, "0004")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as connection:
            for name, category in OLD.items():
                connection.execute(
                    INSERT, {"text": name, "hash": name, "category": category, "no": False}
                )

        migrate.upgrade(empty_database)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT text, category, lens, lens_source FROM painpoints ORDER BY text")
            ).all()
        assert [tuple(row) for row in rows] == [
            ("a", "workflow_bottleneck", "workflow_bottleneck", "reporter"),
            ("b", "customer_facing", "customer_facing", "reporter"),
            ("c", "employee_challenge", "employee_challenge", "reporter"),
            ("d", "employee_challenge", "employee_challenge", "reporter"),
            ("e", None, None, None),
        ]

        migrate.downgrade(empty_database, "0004")
        with engine.connect() as connection:
            categories = (
                connection.execute(text("SELECT category FROM painpoints ORDER BY text"))
                .scalars()
                .all()
            )
        assert categories == ["workflow_bottleneck", "customer_facing", "other", "other", None]
    finally:
        engine.dispose()
