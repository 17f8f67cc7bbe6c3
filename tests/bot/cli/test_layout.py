"""The documented multi-process layout (docs/operations.md), started for real: two web
processes (`painpoint run --http --no-worker`) and one `painpoint worker`, all at once on a
fresh PostgreSQL database. Each migrates at start (one at a time), the web processes answer
/healthz and serve Slack, the worker holds the lease (`painpoint status` names it) and keeps
its health file fresh; stopped, it gives the lease up."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db.session import make_engine, make_session_factory
from tests.bot.cli.conftest import PAINPOINT, clean_environment, free_port, needs_script, run_script
from tests.conftest import POSTGRES_URL, SECRET_KEY
from tests.slack_requests import SIGNING_SECRET, sign, slash_body
from tests.slack_stand_in import SlackStandIn
from tests.stored import painpoints

pytestmark = [
    needs_script,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs PAINPOINT_TEST_DATABASE_URL"),
]
DEADLINE = 120.0


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """A new, empty database of its own."""
    assert POSTGRES_URL is not None
    name = f"painpoint_layout_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def until(check: Any, what: str) -> Any:
    """Poll `check` until it returns something truthy (no timing is asserted)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"never happened: {what}")


def get(port: int, path: str) -> tuple[int, dict[str, Any]] | None:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path)
        response = connection.getresponse()
        body = json.loads(response.read() or b"{}")
        connection.close()
        return response.status, body
    except OSError:
        return None


def post_report(port: int, report: str, user: str) -> int:
    body = slash_body(report, user=user)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    connection.request(
        "POST",
        "/slack/events",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)},
    )
    status = connection.getresponse().status
    connection.close()
    return status


def stop(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def test_two_web_processes_and_a_worker_on_postgres(
    fresh_postgres: str, stand_in: SlackStandIn, tmp_path: Path
) -> None:
    environment = {
        **clean_environment(),
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": stand_in.base_url,
        "DATABASE_URL": fresh_postgres,
        "PAINPOINT_SECRET_KEY": SECRET_KEY,
        "PAINPOINT_EMBED_ON_CAPTURE": "false",  # no model in this test: memory is shared
        "PAINPOINT_HTTP_THREADS": "2",
        "PAINPOINT_LISTENER_THREADS": "2",
        "PAINPOINT_NUDGE_LEASE_SECONDS": "6",
    }
    ports = [free_port(), free_port()]
    health_file = tmp_path / "worker-health.json"
    commands = [
        *(["run", "--http", "--no-worker", "--host", "127.0.0.1", "--port", str(p)] for p in ports),
        ["worker", "--health-file", str(health_file)],
    ]
    # All three at once on an empty database: each migrates at start, under the lock.
    processes = [
        subprocess.Popen([str(PAINPOINT), *c], cwd=tmp_path, env=environment, text=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for c in commands
    ]  # fmt: skip
    web, worker = processes[:2], processes[2]
    try:
        for port in ports:
            status, body = until(
                lambda p=port: (get(p, "/healthz") or (0, {}))[0] == 200 and get(p, "/healthz"),
                f"/healthz on {port}",
            )
            assert status == 200 and body["status"] == "ok"  # fmt: skip
        heartbeat = until(
            lambda: (
                health_file.exists()
                and json.loads(health_file.read_text() or "{}").get("holds_lease")
                and json.loads(health_file.read_text())
            ),
            "the worker holds the lease",
        )
        assert heartbeat["pid"] == worker.pid

        status_run = run_script("status", "--format", "json", cwd=tmp_path, environment=environment)
        assert status_run.returncode == 0, status_run.stderr
        status = json.loads(status_run.stdout)
        assert status["migrated"] is True and status["lease"]["live"] is True
        assert status["lease"]["holder"] == heartbeat["holder"]
        assert f":{worker.pid}:" in status["lease"]["holder"]
        text_status = run_script("status", cwd=tmp_path, environment=environment).stdout
        assert f"pid {worker.pid}" in text_status and "up to date" in text_status

        # Both web processes serve Slack against the one database.
        assert post_report(ports[0], "The VPN drops every hour", "U0LAYOUT1") == 200
        assert post_report(ports[1], "Expense approvals wait a week", "U0LAYOUT2") == 200
        engine = make_engine(fresh_postgres)
        try:
            stored = until(
                lambda: len(rows := painpoints(make_session_factory(engine))) == 2 and rows,
                "both reports stored",
            )
        finally:
            engine.dispose()
        assert {row.text for row in stored} == {
            "The VPN drops every hour",
            "Expense approvals wait a week",
        }

        # A stopped worker gives the lease up at once and removes its health file.
        assert stop(worker) == 0
        assert not health_file.exists()
        after = run_script("status", cwd=tmp_path, environment=environment)
        assert after.returncode == 1
        assert "nobody holds it" in after.stdout
    finally:
        codes = [stop(p) for p in processes]
        errors = [p.stderr.read() if p.stderr else "" for p in processes]
        for p in processes:
            if p.stderr:
                p.stderr.close()
    assert codes == [0, 0, 0], errors
    for err in errors:
        assert "Traceback" not in err and "UniqueViolation" not in err
    del web
