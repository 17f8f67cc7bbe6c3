"""Every failure a user can cause or meet is one line saying what to do, exit code non-zero
(2 for usage and configuration), no traceback unless asked for, and nothing written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot import cli
from bot.services import transfer
from tests.bot.cli.conftest import (
    PAINPOINT,
    clean_environment,
    free_port,
    needs_script,
    one_line,
    run_script,
)
from tests.conftest import POSTGRES_URL, SECRET_KEY
from tests.slack_requests import SIGNING_SECRET
from tests.slack_stand_in import SlackStandIn


@pytest.fixture
def slack_env(env: pytest.MonkeyPatch, stand_in: SlackStandIn, tmp_path: Path) -> Path:
    """Everything `painpoint run --http` needs, against the stand-in; returns the SQLite file."""
    database = tmp_path / "var" / "bot.db"
    env.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    env.setenv("SLACK_API_URL", stand_in.base_url)
    env.setenv("PAINPOINT_SECRET_KEY", SECRET_KEY)
    env.setenv("DATABASE_URL", f"sqlite:///{database}")
    return database


# --- Slack ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["run", "--http"], ["worker"]])
def test_an_invalid_bot_token_is_one_line_and_touches_no_database(
    slack_env: Path, stand_in: SlackStandIn, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    stand_in.fail("auth.test", "invalid_auth", times=5)

    assert cli.main(command) == 2

    line = one_line(capsys.readouterr().err)
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in line
    assert "OAuth & Permissions" in line
    assert not slack_env.exists()


def test_an_app_token_slack_refuses_is_named_before_anything_is_written(
    slack_env: Path, env: pytest.MonkeyPatch, stand_in: SlackStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    env.setenv("SLACK_APP_TOKEN", "xapp-1-wrong")
    stand_in.fail("apps.connections.open", "invalid_auth", times=5)

    assert cli.main(["run"]) == 2  # Socket Mode

    line = one_line(capsys.readouterr().err)
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in line and "xapp-" in line
    assert not slack_env.exists()


def test_no_network_is_one_line_naming_where_it_tried(
    slack_env: Path, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/api/"
    env.setenv("SLACK_API_URL", nowhere)

    assert cli.main(["run", "--http"]) == 1

    line = one_line(capsys.readouterr().err)
    assert f"cannot reach {nowhere}" in line and "network" in line
    assert not slack_env.exists()


# --- the database --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["themes"], ["export"], ["report", "--format", "md"], ["db", "upgrade"]]
)
def test_a_database_that_is_down_is_one_line(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    env.setenv("DATABASE_URL", f"postgresql+psycopg://painpoint:hunter22@127.0.0.1:{free_port()}/x")
    env.setenv("PAINPOINT_SECRET_KEY", SECRET_KEY)

    assert cli.main(command) == 1

    line = one_line(capsys.readouterr().err)
    assert "cannot reach the database at postgresql+psycopg://painpoint:***@127.0.0.1" in line
    assert "hunter22" not in line
    assert "check that it is running and DATABASE_URL" in line


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PAINPOINT_TEST_DATABASE_URL")
@pytest.mark.postgres
def test_a_postgres_database_that_does_not_exist_is_one_line(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy.engine import make_url

    assert POSTGRES_URL is not None
    missing = make_url(POSTGRES_URL).set(database="painpoint_no_such_database")
    env.setenv("DATABASE_URL", missing.render_as_string(hide_password=False))

    assert cli.main(["themes"]) == 2

    line = one_line(capsys.readouterr().err)
    assert "painpoint_no_such_database does not exist" in line and "createdb" in line


@pytest.mark.parametrize(
    "command", [["themes"], ["export"], ["report", "--format", "md"], ["status"]]
)
def test_read_only_commands_never_create_a_sqlite_database(
    env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    env.setenv("DATABASE_URL", f"sqlite:///{missing}")

    assert cli.main(command) == 2

    line = one_line(capsys.readouterr().err)
    assert f"no database at {missing}" in line and "DATABASE_URL" in line
    assert not (tmp_path / "nonexistent").exists()


def test_an_import_into_a_missing_folder_is_refused(
    env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text("text\nSlow approvals\n", encoding="utf-8")
    env.setenv("DATABASE_URL", "sqlite:////nonexistent-painpoint/dir/x.db")
    env.setenv("PAINPOINT_SECRET_KEY", SECRET_KEY)

    assert cli.main(["import", str(survey), "--text-column", "text", "--quiet"]) == 2

    assert "the folder /nonexistent-painpoint/dir does not exist" in one_line(
        capsys.readouterr().err
    )
    assert not Path("/nonexistent-painpoint").exists()


# --- files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["report", "--format", "md"], ["export", "--format", "csv"]])
def test_out_naming_a_directory_is_one_line_and_writes_nothing(
    db_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()

    assert cli.main([*command, "--out", str(folder)]) == 2

    line = one_line(capsys.readouterr().err)
    assert f"--out {folder} is a directory; give a file name" in line
    assert list(folder.iterdir()) == []


@needs_script
def test_a_closed_pipe_is_one_line(sqlite_url: str, tmp_path: Path) -> None:
    from bot.db.session import make_engine, make_session_factory

    engine = make_engine(sqlite_url)
    rows = [transfer.ImportRow(text=f"Problem number {n}", reporter=None) for n in range(3000)]
    transfer.import_painpoints(
        make_session_factory(engine), rows, secret_key=SECRET_KEY, scrub_text=str
    )
    engine.dispose()
    environment = {**clean_environment(), "DATABASE_URL": sqlite_url}

    # `painpoint export | head -c 100`: the reader leaves after a few bytes.
    process = subprocess.Popen(
        [str(PAINPOINT), "export"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(100)
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()

    assert process.wait(timeout=120) == 1
    # The export's own note on the minimum-reporter rule comes first, then the one line.
    note, line = err.strip().splitlines()
    assert note.startswith("note: this export holds every painpoint row")
    assert "broken pipe" in one_line(line) and "--out FILE" in line


# --- migrations and the model ---------------------------------------------------------------


def test_an_unknown_revision_is_one_line_listing_the_known_ones(
    db_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "upgrade", "nonsense"]) == 2

    line = one_line(capsys.readouterr().err)
    assert "migration failed" in line and "nonsense" in line
    assert "known revisions:" in line and "heads, base" in line


@pytest.mark.parametrize(
    "command",
    [["cluster", "survey.csv", "--text-column", "text"], ["themes", "--recluster"], ["embed"]],
)
def test_a_model_path_that_does_not_exist_is_one_line(
    db_env: str,
    env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    (tmp_path / "survey.csv").write_text("text\nSlow\nSlower\n", encoding="utf-8")
    env.setenv("PAINPOINT_EMBEDDING_MODEL", "/nonexistent")

    assert cli.main(command) == 2

    line = one_line(capsys.readouterr().err)
    assert "PAINPOINT_EMBEDDING_MODEL=/nonexistent: no model folder there" in line
    assert "unset it" in line


def test_run_checks_the_model_before_anything_else(
    slack_env: Path, env: pytest.MonkeyPatch, stand_in: SlackStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    env.setenv("PAINPOINT_EMBEDDING_MODEL", "/nonexistent")

    assert cli.main(["run", "--http"]) == 2

    assert "PAINPOINT_EMBEDDING_MODEL=/nonexistent" in one_line(capsys.readouterr().err)
    assert not slack_env.exists()
    assert stand_in.calls_to("auth.test") == []


# --- anything else, and -v ------------------------------------------------------------------


def test_an_unexpected_error_is_still_one_line(
    db_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: object) -> int:
        raise RuntimeError("something odd\nwith a second line")

    monkeypatch.setitem(cli.COMMANDS, "themes", broken)

    assert cli.main(["themes"]) == 1

    line = one_line(capsys.readouterr().err)
    assert "unexpected error (RuntimeError: something odd)" in line and "-v" in line


@pytest.mark.parametrize("how", ["-v", "PAINPOINT_LOG_LEVEL=debug"])
def test_verbose_shows_the_traceback_then_the_line(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    env.setenv("DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x")
    args = ["themes"]
    if how == "-v":
        args = ["-v", *args]
    else:
        env.setenv("PAINPOINT_LOG_LEVEL", "debug")

    assert cli.main(args) == 1

    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.strip().splitlines()[-1].startswith("painpoint: cannot reach the database")


@needs_script
def test_the_console_script_gives_the_same_line(tmp_path: Path) -> None:
    environment = {**clean_environment(), "DATABASE_URL": "sqlite:////nonexistent/dir/x.db"}
    done = run_script("themes", cwd=tmp_path, environment=environment)
    assert done.returncode == 2
    assert "no database at /nonexistent/dir/x.db" in one_line(done.stderr)
