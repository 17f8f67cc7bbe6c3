"""`painpoint run` starts the nudge worker unless `--no-worker`; `painpoint worker` needs a token."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from bot.cli import build_parser, main
from bot.runtime import run
from bot.settings import Settings


class FakeWorker:
    """Records what runtime.run does with the worker."""

    events: ClassVar[list[str]] = []
    lease = None

    def __init__(self, settings: Settings, **_kwargs: Any) -> None:
        self.events.append("created")

    def start(self) -> FakeWorker:
        self.events.append("started")
        return self

    def stop(self) -> None:
        self.events.append("stopped")

    def poke(self) -> None:
        self.events.append("poked")


@pytest.mark.parametrize(
    ("worker", "expected"), [(True, ["created", "started", "stopped"]), (False, [])]
)
def test_run_includes_the_worker_unless_told_not_to(
    nudge_settings: Settings, monkeypatch: pytest.MonkeyPatch, worker: bool, expected: list[str]
) -> None:
    FakeWorker.events = []
    monkeypatch.setattr("bot.app.Worker", FakeWorker)
    monkeypatch.setattr("bot.server.serve", lambda *_a, **_k: None)
    assert run(nudge_settings, http=True, port=0, host="127.0.0.1", worker=worker) == 0
    assert FakeWorker.events == expected


def test_the_flags_parse() -> None:
    parser = build_parser()
    assert parser.parse_args(["run", "--no-worker"]).no_worker is True
    assert parser.parse_args(["run"]).no_worker is False
    assert parser.parse_args(["worker"]).command == "worker"


def test_worker_refuses_to_start_without_a_bot_token(
    nudge_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", nudge_settings.database_url)
    assert main(["worker"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err
