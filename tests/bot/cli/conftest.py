"""Running the `painpoint` command line in-process and as the real console script."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SECRET_KEY

PAINPOINT = Path(sys.executable).with_name("painpoint")
needs_script = pytest.mark.skipif(not PAINPOINT.exists(), reason="painpoint is not installed")


def clean_environment() -> dict[str, str]:
    """The process environment without any painpoint or Slack setting."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "PAINPOINT_")) and key != "DATABASE_URL"
    }


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No inherited settings, and a working directory without a `.env` file."""
    for key in list(os.environ):
        if key.startswith(("SLACK_", "PAINPOINT_")) or key == "DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture
def db_env(env: pytest.MonkeyPatch, database_url: str) -> str:
    """A migrated, empty database (SQLite and PostgreSQL) and a secret key, set for the CLI."""
    env.setenv("DATABASE_URL", database_url)
    env.setenv("PAINPOINT_SECRET_KEY", SECRET_KEY)
    return database_url


def one_line(err: str) -> str:
    """The single `painpoint: …` line a failure prints (and nothing else, no traceback)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("painpoint: "), err
    assert "Traceback" not in err
    return lines[0]


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_script(
    *args: str, cwd: Path, environment: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The installed console script, to completion."""
    return subprocess.run(
        [str(PAINPOINT), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
