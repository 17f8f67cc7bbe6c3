"""The `painpoint` command line: settings errors, migrations, import and export (and a real run)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from bot import cli
from bot.db.migrate import is_up_to_date
from bot.db.session import make_engine, make_session_factory
from bot.domain.capture import PainPointInput
from bot.services.capture import CaptureService
from tests.conftest import SECRET_KEY
from tests.processes import child_pids, niceness, wait_gone
from tests.slack_requests import SIGNING_SECRET, sign, slash_body
from tests.slack_stand_in import SlackStandIn
from tests.stored import painpoints, scrubbed

KEY = SECRET_KEY  # the privacy step in tests/stored.py opens sealed text with it
PAINPOINT = Path(sys.executable).with_name("painpoint")
CONTRACT = ["id", "text", "source", "category", "frequency", "hours_per_week", "team", "reporter",
            "created_at"]  # fmt: skip


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
    env.setenv("PAINPOINT_SECRET_KEY", KEY)
    return database_url


def stderr_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("painpoint: ")
    return lines[0]


# --- settings ------------------------------------------------------------------------------


def test_run_without_a_secret_key_exits_2_with_one_line(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    env.setenv("SLACK_SIGNING_SECRET", "s")
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")

    assert cli.main(["run", "--http"]) == 2
    assert "PAINPOINT_SECRET_KEY" in stderr_line(capsys)
    assert not (tmp_path / "bot.db").exists()  # refused before touching the database


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAINPOINT_MIN_REPORTERS", "abc"),
        ("PAINPOINT_MIN_REPORTERS", "0"),
        ("PAINPOINT_MANAGERS", "bogus"),
        ("PAINPOINT_TRAINERS", "U123,not an id"),
        ("PAINPOINT_SECRET_KEY", "short"),
        ("DATABASE_URL", "mysql://localhost/db"),
        ("PAINPOINT_TIMEZONE", "Mars/Olympus_Mons"),
        ("PAINPOINT_LOG_LEVEL", "LOUD"),
        ("PAINPOINT_MAX_TEXT_LENGTH", "lots"),
    ],
)
@pytest.mark.parametrize("command", [["run"], ["db", "upgrade"], ["export"]])
def test_invalid_settings_exit_2_naming_the_setting(
    env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    command: list[str],
) -> None:
    env.setenv(name, value)
    assert cli.main(command) == 2
    line = stderr_line(capsys)
    assert name in line
    assert "invalid setting" in line


def test_settings_are_read_from_a_dot_env_file(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("PAINPOINT_MANAGERS=bogus\n", encoding="utf-8")
    assert cli.main(["run"]) == 2
    assert "PAINPOINT_MANAGERS" in stderr_line(capsys)


@pytest.mark.parametrize(
    ("settings", "args", "missing"),
    [
        ({"PAINPOINT_SECRET_KEY": KEY}, ["run"], "SLACK_BOT_TOKEN"),
        (
            {"PAINPOINT_SECRET_KEY": KEY, "SLACK_BOT_TOKEN": "xoxb-1"},
            ["run"],
            "SLACK_SIGNING_SECRET",
        ),
        (
            {"PAINPOINT_SECRET_KEY": KEY, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},
            ["run", "--http"],
            "SLACK_SIGNING_SECRET",
        ),
    ],
)
def test_run_names_the_first_missing_slack_setting(
    env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings: dict[str, str],
    args: list[str],
    missing: str,
) -> None:
    for key, value in settings.items():
        env.setenv(key, value)
    assert cli.main(args) == 2
    assert missing in stderr_line(capsys)


def test_no_sub_command_is_a_usage_error(env: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == 2


# --- migrations ----------------------------------------------------------------------------


def test_db_upgrade_and_downgrade(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'fresh.db'}"
    env.setenv("DATABASE_URL", url)

    assert cli.main(["db", "upgrade"]) == 0
    assert "upgraded to head" in capsys.readouterr().out
    engine = make_engine(url)
    assert is_up_to_date(engine)
    assert {"painpoints", "slack_events"} <= set(inspect(engine).get_table_names())

    # Without a revision, or to base without --yes: refused, nothing dropped.
    assert cli.main(["db", "downgrade"]) == 2
    assert "needs a revision" in stderr_line(capsys)
    assert cli.main(["db", "downgrade", "base"]) == 2
    assert "--yes" in stderr_line(capsys)
    assert {"painpoints", "slack_events"} <= set(inspect(engine).get_table_names())

    assert cli.main(["db", "downgrade", "base", "--yes"]) == 0
    assert "downgraded to base" in capsys.readouterr().out
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_db_upgrade_on_a_migrated_database_is_a_no_op(
    db_env: str, session_factory: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "upgrade"]) == 0
    engine = make_engine(db_env)
    assert is_up_to_date(engine)
    engine.dispose()


# --- import --------------------------------------------------------------------------------

SURVEY = (
    "What slows you down?,Email\n"
    "Expense reports need three signatures; ask ann@example.com,ann@example.com\n"
    "Expense reports need three signatures; ask ann@example.com,ann@example.com\n"
    "The VPN drops every hour,bob@example.com\n"
    "The VPN drops every hour,\n"
    "The VPN drops every hour,\n"
    "  ,carl@example.com\n"
)


def write_survey(tmp_path: Path, content: str | bytes = SURVEY, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def run_import(path: Path, *extra: str) -> int:
    return cli.main(
        ["import", str(path), "--text-column", "What slows you down?", "--quiet", *extra]
    )


def test_import_scrubs_dedupes_and_counts_anonymous_rows_as_distinct_reporters(
    db_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_survey(tmp_path)

    assert run_import(path, "--reporter-column", "Email") == 0

    out = capsys.readouterr().out
    assert "imported 4 of 6 rows" in out
    assert "1 duplicates" in out and "1 empty" in out
    session_factory = make_session_factory(make_engine(db_env))
    rows = painpoints(session_factory)
    assert [row.source for row in rows] == ["import"] * 4
    assert rows[0].text == "Expense reports need three signatures; ask [email]"
    vpn = [row for row in rows if row.text == "The VPN drops every hour"]
    assert len(vpn) == 3
    assert len({row.reporter for row in vpn}) == 3  # bob and two anonymous people
    assert not any("example.com" in row.reporter for row in rows)


def test_importing_the_same_file_twice_does_not_double(
    db_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_survey(tmp_path)
    assert run_import(path, "--reporter-column", "Email") == 0
    capsys.readouterr()

    assert run_import(path, "--reporter-column", "Email") == 0

    assert "imported 0 of 6 rows (5 duplicates" in capsys.readouterr().out
    assert len(painpoints(make_session_factory(make_engine(db_env)))) == 4


def test_import_without_a_reporter_column_treats_every_row_as_its_own_reporter(
    db_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(write_survey(tmp_path)) == 0
    rows = painpoints(make_session_factory(make_engine(db_env)))
    assert len(rows) == 5
    assert len({row.reporter for row in rows}) == 5


BAD_CSV = {
    "missing column": ("Question,Email\nslow,a\n", "'What slows you down?' is not in"),
    "malformed": ('What slows you down?,Email\n"unclosed,a\nmore,b\n', "not a valid CSV"),
    "too many fields": ("What slows you down?,Email\na,b,c\n", "more fields than the header"),
    "not UTF-8": ("What slows you down?\nCaf\u00e9 queue\n".encode("cp1252"), "not UTF-8"),
    "empty": ("", "is empty"),
}


@pytest.mark.parametrize(("content", "message"), BAD_CSV.values(), ids=BAD_CSV)
def test_bad_csv_files_exit_2_with_a_clear_message_and_store_nothing(
    db_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | bytes,
    message: str,
) -> None:
    assert run_import(write_survey(tmp_path, content)) == 2
    assert message in stderr_line(capsys)
    assert painpoints(make_session_factory(make_engine(db_env))) == []


def test_import_of_a_missing_file_or_reporter_column_exits_2(
    db_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(tmp_path / "nope.csv") == 2
    assert "cannot read" in stderr_line(capsys)
    assert run_import(write_survey(tmp_path), "--reporter-column", "Name") == 2
    assert "'Name' is not in" in stderr_line(capsys)


def test_import_without_a_secret_key_exits_2(
    env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert run_import(write_survey(tmp_path)) == 2
    assert "PAINPOINT_SECRET_KEY" in stderr_line(capsys)


# --- export --------------------------------------------------------------------------------


@pytest.fixture
def exported_data(db_env: str) -> Iterator[None]:
    engine = make_engine(db_env)
    session_factory = make_session_factory(engine)
    service = CaptureService(session_factory, secret_key=KEY)
    service.record(
        team_id="T1",
        user_id="U0KEEPPOSTED",
        submission=PainPointInput(
            text="Quotes wait for legal, ask <@U0MENTIONED>",
            source="modal",
            category="workflow_bottleneck",
            frequency="weekly",
            hours_per_week=3.0,
            team="Sales",
            keep_posted=True,
        ),
    )
    service.record(
        team_id="T1", user_id="U0OTHER", submission=PainPointInput(text="VPN", source="dm")
    )
    scrubbed(session_factory)
    yield
    engine.dispose()


@pytest.mark.usefixtures("exported_data")
def test_export_json_has_the_contract_fields_and_no_slack_user_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["export", "--format", "json"]) == 0

    out = capsys.readouterr().out
    records = json.loads(out)
    assert len(records) == 2
    for record in records:
        assert set(CONTRACT) <= set(record)
        assert len(record["reporter"]) == 64
    assert records[0]["source"] == "modal" and records[1]["source"] == "dm"
    assert records[0]["hours_per_week"] == 3.0
    for user_id in ("U0KEEPPOSTED", "U0MENTIONED", "U0OTHER"):
        assert user_id not in out


@pytest.mark.usefixtures("exported_data")
def test_a_command_closes_the_database_connections_it_opened(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Run in-process (tests, a worker calling commands), an open pool held its connections
    # for the life of the process; on PostgreSQL they added up to "too many clients".
    opened: list[Engine] = []

    def recorded(url: str, **kwargs: object) -> Engine:
        opened.append(make_engine(url, **kwargs))
        return opened[-1]

    monkeypatch.setattr("bot.db.session.make_engine", recorded)
    assert cli.main(["export", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2

    assert opened
    assert [(e.pool.checkedin(), e.pool.checkedout()) for e in opened] == [(0, 0)] * len(opened)


@pytest.mark.usefixtures("exported_data")
def test_export_csv_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "exports" / "painpoints.csv"

    assert (
        cli.main(["export", "--what", "painpoints", "--format", "csv", "--out", str(out_file)]) == 0
    )

    assert "wrote 2 painpoints" in capsys.readouterr().err
    content = out_file.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 2
    assert set(CONTRACT) <= set(rows[0])
    assert rows[0]["category"] == "workflow_bottleneck"
    assert "U0KEEPPOSTED" not in content and "U0OTHER" not in content


def test_export_of_an_unmigrated_database_migrates_it_first(
    env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "new.db").touch()  # exists, never migrated
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    assert cli.main(["export"]) == 0
    assert json.loads(capsys.readouterr().out) == []


# --- the real console script ---------------------------------------------------------------

needs_script = pytest.mark.skipif(not PAINPOINT.exists(), reason="painpoint is not installed")


@needs_script
def test_the_console_script_refuses_to_run_without_a_secret_key(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(PAINPOINT), "run"],
        cwd=tmp_path,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "PAINPOINT_SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def running_bot(
    tmp_path: Path, stand_in: SlackStandIn
) -> Iterator[tuple[int, str, subprocess.Popen[str]]]:
    """`painpoint run --http` as a real process, against the stand-in and a fresh SQLite file."""
    port = free_port()
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    environment = {
        **clean_environment(),
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": stand_in.base_url,
        "SLACK_APP_TOKEN": "xapp-ignored-because-of-http",
        "DATABASE_URL": url,
        "PAINPOINT_SECRET_KEY": KEY,
        "PAINPOINT_HTTP_THREADS": "2",
        "PAINPOINT_LISTENER_THREADS": "2",
    }
    process = subprocess.Popen(
        [str(PAINPOINT), "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield port, url, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def wait_until_healthy(port: int, process: subprocess.Popen[str]) -> dict[str, str]:
    import http.client

    # Loading both model children takes ~10 s alone and several times that on a busy machine;
    # the deadline only ends a bot that hangs, and a bot that exits fails at once.
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise AssertionError(f"painpoint run exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            body = response.read()
            connection.close()
            if response.status == 200:
                return dict(json.loads(body))
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("painpoint run --http never became healthy")
        time.sleep(0.1)


@needs_script
def test_the_console_script_migrates_and_serves_http(
    running_bot: tuple[int, str, subprocess.Popen[str]], stand_in: SlackStandIn
) -> None:
    import http.client

    port, url, process = running_bot
    health = wait_until_healthy(port, process)
    assert health["status"] == "ok"

    body = slash_body("Purchase orders are faxed")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    connection.request(
        "POST",
        "/slack/events",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)},
    )
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()

    assert response.status == 200
    assert stand_in.calls_to("auth.test")

    # After the answer, the bot itself runs the full scrub, then embeds the report in its
    # low-priority child process.
    children = child_pids(process.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        engine = make_engine(url)
        [row] = painpoints(make_session_factory(engine), sweep=False)
        engine.dispose()
        if row.embedding_model is not None:
            break
        time.sleep(0.5)
    assert row.embedding_model == "all-MiniLM-L6-v2"
    assert row.text == "Purchase orders are faxed"
    assert f"#{row.id}" in answer["text"]
    embedding_children = [pid for pid in child_pids(process.pid) if niceness(pid) == 19]
    assert embedding_children, f"no low-priority child among {children}"

    # SIGTERM stops the bot cleanly, and its child processes with it.
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert wait_gone(embedding_children, seconds=15) == []
