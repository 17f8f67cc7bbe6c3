"""Discovery without leading: what employees read when they report speaks of work and what
slows it down, never of AI; a company's own words replace the defaults everywhere."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from bot.blocks import capture as blocks
from bot.blocks.privacy import privacy_message
from bot.domain.capture import PainPointView
from bot.domain.wording import DEFAULT_WORDING, parse_wording

# Words that point people at a solution instead of their problem.
LEADING = re.compile(
    r"\bA\.?I\b|artificial intelligence|machine learning|\bLLM|chat ?gpt|copilot|automat",
    re.IGNORECASE,
)


def report(keep_posted: bool = False) -> PainPointView:
    return PainPointView(
        id=7,
        text="Invoices by hand",
        details=None,
        source="slash",
        category=None,
        frequency=None,
        hours_per_week=None,
        team=None,
        keep_posted=keep_posted,
        created_at=datetime(2026, 3, 2, tzinfo=UTC),
    )


def capture_texts(wording: object = DEFAULT_WORDING) -> dict[str, str]:
    """Every employee-facing capture surface, rendered."""
    kw = {"wording": wording}
    return {
        "home": json.dumps(blocks.home_view([report()], **kw)),  # type: ignore[arg-type]
        "help": json.dumps(blocks.help_message(**kw)),  # type: ignore[arg-type]
        "form": json.dumps(blocks.report_modal(**kw)),  # type: ignore[arg-type]
        "receipt": json.dumps(blocks.receipt(report(True), **kw)),  # type: ignore[arg-type]
        "dm receipt": json.dumps(blocks.dm_receipt(report(), **kw)),  # type: ignore[arg-type]
        "privacy": json.dumps(privacy_message(**kw)),  # type: ignore[arg-type]
    }


@pytest.mark.parametrize("surface", list(capture_texts()))
def test_capture_texts_do_not_lead_with_ai(surface: str) -> None:
    rendered = capture_texts()[surface]
    assert not LEADING.search(rendered), LEADING.search(rendered)
    assert "slow" in rendered or surface in {"receipt", "dm receipt", "privacy"}


def test_a_companys_wording_replaces_the_defaults_everywhere() -> None:
    wording = parse_wording(
        "question: What gets in your way at Acme?\n"
        "placeholder: e.g. the stock report needs three logins\n"
        "intro: Acme wants to hear what gets in your way.\n"
        "receipt: Thanks, the ops team reads every theme.\n"
        "form_title: Tell Acme\n"
        "report_button: Tell Acme what gets in the way\n"
    )
    texts = capture_texts(wording)

    assert "What gets in your way at Acme?" in texts["home"] + texts["form"]
    assert "Tell Acme what gets in the way" in texts["home"]
    assert "Acme wants to hear" in texts["home"] and "Acme wants to hear" in texts["help"]
    assert "the stock report needs three logins" in texts["form"]
    assert '"Tell Acme"' in texts["form"]
    assert "the ops team reads every theme" in texts["receipt"]
    assert "What slows you down?" not in texts["home"] + texts["form"]


def test_the_texts_state_the_deployments_rules() -> None:
    wording = DEFAULT_WORDING.with_facts(min_reporters=5, retention_days=180)
    texts = capture_texts(wording)
    assert "at least 5 people" in texts["receipt"] and "at least 5 people" in texts["home"]
    assert (
        "removed after 180 days" in texts["home"] and "removed after 180 days" in texts["privacy"]
    )
    assert "kept until you erase them" in capture_texts()["home"]
