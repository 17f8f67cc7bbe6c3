"""`painpoint themes rename | merge | split | move`: logged under the login, one line each,
refusals exit 2."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import cli
from bot.db.models import Theme, ThemeEvent
from bot.db.session import make_engine, make_session_factory
from tests.bot.services.test_theme_corrections import members
from tests.bot.services.test_themes import MODEL, _add_reports, _service


@pytest.fixture
def clustered(db_env: str) -> list[int]:
    session_factory = make_session_factory(make_engine(db_env))
    _add_reports(session_factory, per_topic=30, seed=1)
    _service(session_factory).recluster()
    with session_factory() as session:
        return sorted(session.scalars(select(Theme.id).where(Theme.active.is_(True))).all())


def test_each_correction_from_the_command_line(
    db_env: str,
    clustered: list[int],
    env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env.setenv("PAINPOINT_EMBEDDING_MODEL", MODEL)
    first, second, third = clustered[:3]
    session_factory = make_session_factory(make_engine(db_env))
    report = min(members(session_factory, third))

    assert cli.main(["themes", "rename", str(first), "VPN drops during calls"]) == 0
    assert cli.main(["themes", "merge", str(first), str(second)]) == 0
    assert cli.main(["themes", "move", str(report), str(first)]) == 0
    assert cli.main(["themes", "split", str(first)]) == 0

    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 4 and "VPN drops during calls" in printed[0]
    with session_factory() as session:
        log = session.scalars(select(ThemeEvent).where(ThemeEvent.actor.is_not(None))).all()
    kinds = {event.kind for event in log}
    assert {"retitled", "merged", "absorbed", "moved_in", "split"} <= kinds
    assert all(str(event.actor).startswith("cli:") for event in log)


@pytest.mark.parametrize(
    "argv",
    [
        ["themes", "rename", "999999", "x"],
        ["themes", "merge", "999999", "1"],
        ["themes", "split", "999999"],
        ["themes", "move", "999999", "1"],
    ],
)
def test_a_correction_that_cannot_be_made_is_one_line_and_exit_2(
    clustered: list[int], capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("painpoint: ")
