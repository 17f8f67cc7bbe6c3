"""The terminal as a surface: --version, every option documented with its default, commands
that tell "not clustered yet" from "nothing above the minimum", teams matched whatever their
case, and `painpoint status` naming the lease holder."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

import pytest

from bot import cli
from bot.cli import pilots as cli_pilots
from bot.db.session import make_engine, make_session_factory
from bot.jobs.lease import Lease
from bot.services import transfer
from tests.bot.cli.conftest import one_line
from tests.bot.reporting.factories import seed_theme
from tests.conftest import SECRET_KEY


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"painpoint {cli.package_version()}"


# Groups whose options are written elsewhere (the pilots engineer's); checked once theirs are.
NOT_YET = set(cli_pilots.COMMANDS)


def _options() -> list[tuple[str, argparse.Action]]:
    found = []
    pending = [("painpoint", cli.build_parser())]
    while pending:
        name, parser = pending.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                pending += [
                    (f"{name} {sub}", p) for sub, p in action.choices.items() if sub not in NOT_YET
                ]
            elif not isinstance(action, argparse._HelpAction | argparse._VersionAction):
                found.append((name, action))
    return found


def test_every_option_has_a_description_and_its_default() -> None:
    missing = []
    for command, action in _options():
        label = f"{command} {'/'.join(action.option_strings) or action.dest}"
        if not action.help:
            missing.append(f"{label}: no description")
        elif (
            action.option_strings
            and action.default not in (None, False)
            and "default" not in action.help
        ):
            missing.append(f"{label}: default {action.default!r} not stated")
    assert missing == []


def test_themes_tells_not_clustered_yet_from_nothing_above_the_minimum(
    db_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["themes"]) == 0
    assert "no reports yet" in capsys.readouterr().out

    engine = make_engine(db_env)
    rows = [transfer.ImportRow(text=f"Problem {n}", reporter=None) for n in range(5)]
    transfer.import_painpoints(
        make_session_factory(engine), rows, secret_key=SECRET_KEY, scrub_text=str
    )
    engine.dispose()

    assert cli.main(["themes"]) == 0
    said = capsys.readouterr().out
    assert "not clustered yet: 5 reports wait" in said and "--recluster" in said
    assert "distinct reporters yet" not in said


def test_a_team_is_matched_whatever_its_case_and_an_unknown_one_lists_the_known(
    db_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(db_env)
    factory = make_session_factory(engine)
    seed_theme(factory, "Expense approvals wait", reporters=4, team="Finance")
    seed_theme(factory, "Contract redlines", reporters=["l1", "l2"], team="Legal")
    engine.dispose()

    assert cli.main(["report", "--format", "md", "--team", "finance"]) == 0
    assert "team Finance" in capsys.readouterr().out

    assert cli.main(["report", "--format", "md", "--team", "Fiance"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "no team 'Fiance'" in line and "teams you can report on: Finance" in line
    # A team below the minimum gets the same answer as an unknown one, and is not listed.
    assert cli.main(["report", "--format", "md", "--team", "Legal"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "no team 'Legal'" in line and "teams you can report on: Finance" in line


def test_status_names_the_lease_holder_or_says_nobody_holds_it(
    db_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["status"]) == 1
    said = capsys.readouterr().out
    assert "up to date" in said and "nobody holds it" in said and "painpoint worker" in said

    engine = make_engine(db_env)
    lease = Lease(make_session_factory(engine), ttl=30, holder="host-a:4242:abcd1234")
    assert lease.try_acquire().held
    try:
        assert cli.main(["status"]) == 0
        assert "held by host-a:4242:abcd1234 (host host-a, pid 4242)" in capsys.readouterr().out
        assert cli.main(["status", "--format", "json"]) == 0
        status = json.loads(capsys.readouterr().out)
        assert status["lease"]["holder"] == "host-a:4242:abcd1234" and status["lease"]["live"]
        assert datetime.fromisoformat(status["lease"]["expires_at"]) > datetime.now(UTC)
    finally:
        lease.release()
        engine.dispose()
