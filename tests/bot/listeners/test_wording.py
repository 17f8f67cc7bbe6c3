"""Scenario test: PAINPOINT_WORDING and PAINPOINT_RETENTION_DAYS reach what employees read in
Slack (App Home, help, receipts)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.db.session import SessionFactory
from bot.settings import Settings
from tests.conftest import AppMaker
from tests.slack_requests import Sender, app_home_opened, response_json
from tests.slack_stand_in import SlackStandIn


def test_the_companys_words_and_rules_reach_slack(
    settings: Settings,
    session_factory: SessionFactory,
    stand_in: SlackStandIn,
    tmp_path: Path,
    make_app: AppMaker,
) -> None:
    wording = tmp_path / "wording.yaml"
    wording.write_text(
        "question: What gets in your way at Acme?\n"
        "intro: Acme wants to hear what gets in your way.\n"
        "receipt: Thanks, the ops team reads every theme.\n",
        encoding="utf-8",
    )
    configured = settings.model_copy(update={"wording": str(wording), "retention_days": 90})
    app = make_app(configured)
    sender = Sender(app)

    receipt = json.dumps(response_json(sender.command("The stock report needs three logins")))
    help_text = response_json(sender.command("help"))["text"]
    sender.event(app_home_opened("U100"))
    home = json.dumps(stand_in.wait_for("views.publish")[0].params["view"])

    assert "the ops team reads every theme" in receipt
    assert "Acme wants to hear" in help_text
    assert "What gets in your way at Acme?" in home and "removed after 90 days" in home
