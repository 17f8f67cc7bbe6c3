"""Migrations are safe to start concurrently: one process migrates under a database lock, the
others wait and then find nothing to do (PostgreSQL advisory lock; SQLite file lock)."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import migrate
from bot.db.session import make_engine
from tests.bot.db.test_migrations import MODEL_TABLES, tables
from tests.conftest import POSTGRES_URL

PAINPOINT = Path(sys.executable).with_name("painpoint")


def start_upgrade(url: str, cwd: Path) -> subprocess.Popen[str]:
    environment = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "HOME": str(cwd)}
    return subprocess.Popen(
        [str(PAINPOINT), "db", "upgrade"],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.skipif(not PAINPOINT.exists(), reason="painpoint is not installed")
def test_three_upgrades_at_once_on_a_fresh_database_all_succeed(
    empty_database: str, tmp_path: Path
) -> None:
    processes = [start_upgrade(empty_database, tmp_path) for _ in range(3)]
    results = [(p.wait(timeout=180), *p.communicate()) for p in processes]

    for code, out, err in results:
        assert code == 0, err
        assert "upgraded to heads" in out
        assert "Traceback" not in err
    assert tables(empty_database) == MODEL_TABLES
    engine = make_engine(empty_database)
    try:
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PAINPOINT_TEST_DATABASE_URL")
@pytest.mark.postgres
def test_the_postgres_lock_is_held_for_the_whole_migration(empty_postgres: str) -> None:
    engine = make_engine(empty_postgres)
    key = {"key": migrate.ADVISORY_LOCK_KEY}
    try:
        with migrate.migration_lock(empty_postgres), engine.connect() as other:
            assert other.scalar(text("SELECT pg_try_advisory_lock(:key)"), key) is False
        with engine.connect() as other:
            assert other.scalar(text("SELECT pg_try_advisory_lock(:key)"), key) is True
            other.execute(text("SELECT pg_advisory_unlock(:key)"), key)
    finally:
        engine.dispose()


def test_the_sqlite_lock_is_held_for_the_whole_migration(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    lock_file = tmp_path / "bot.db.migrate-lock"
    with (
        migrate.migration_lock(f"sqlite:///{database}"),
        open(lock_file, "a+b") as other,
        pytest.raises(BlockingIOError),
    ):
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(lock_file, "a+b") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
