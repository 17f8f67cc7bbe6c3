"""Migrations upgrade an empty database to head, match the models, and downgrade to base."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

import bot.db
from bot.db import migrate
from bot.db.base import Base
from bot.db.session import make_engine

# Every model module registers its tables on the metadata.
for module in pkgutil.iter_modules(bot.db.__path__):
    importlib.import_module(f"bot.db.{module.name}")
MODEL_TABLES = set(Base.metadata.tables)


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def schema_differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            # Tables owned by libraries (APScheduler's job store) are not models.
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, _parent: (
                        kind != "table" or name in MODEL_TABLES
                    ),
                },
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_upgrade_from_empty_reaches_head_and_matches_the_models(empty_database: str) -> None:
    assert tables(empty_database) == set()

    migrate.upgrade(empty_database)

    assert tables(empty_database) >= MODEL_TABLES
    engine = make_engine(empty_database)
    assert migrate.is_up_to_date(engine)
    engine.dispose()
    assert schema_differences(empty_database) == []


def test_downgrade_to_base_removes_every_table_and_upgrade_works_again(
    empty_database: str,
) -> None:
    migrate.upgrade(empty_database)

    migrate.downgrade(empty_database, "base")
    assert tables(empty_database) == set()

    migrate.upgrade(empty_database)
    assert tables(empty_database) >= MODEL_TABLES


def test_every_revision_upgrades_and_downgrades_one_step_at_a_time(empty_database: str) -> None:
    steps = revisions()
    assert steps, "no migrations found"
    for revision in steps:
        migrate.upgrade(empty_database, revision)
    assert tables(empty_database) >= MODEL_TABLES
    for _ in steps:
        migrate.downgrade(empty_database, "-1")
    assert tables(empty_database) == set()


def test_a_migrated_database_keeps_its_rows_across_an_idle_upgrade(empty_sqlite: str) -> None:
    migrate.upgrade(empty_sqlite)
    engine = make_engine(empty_sqlite)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO slack_events (event_id, received_at) "
                "VALUES ('Ev1', '2026-01-01 00:00:00')"
            )
        )
    migrate.upgrade(empty_sqlite)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM slack_events")) == 1
    engine.dispose()


def test_slack_event_ids_are_unique(empty_database: str) -> None:
    from sqlalchemy.exc import IntegrityError

    migrate.upgrade(empty_database)
    engine = make_engine(empty_database)
    insert = text("INSERT INTO slack_events (event_id, received_at) VALUES ('Ev1', :at)")
    with engine.begin() as connection:
        connection.execute(insert, {"at": "2026-01-01 00:00:00"})
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"at": "2026-01-02 00:00:00"})
    engine.dispose()
