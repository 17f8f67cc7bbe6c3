"""The company's wording file: a YAML or JSON mapping of known texts, each checked against the
Slack limit of where it appears; anything else is refused with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.wording import DEFAULT_WORDING, LIMITS, WordingError, parse_wording
from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def no_inherited_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings from these tests only: no environment, no `.env` file."""
    import os

    for key in list(os.environ):
        if key.startswith(("SLACK_", "PAINPOINT_")) or key == "DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_yaml_and_json_set_the_texts_they_name_and_keep_the_rest() -> None:
    from_yaml = parse_wording("question: What gets in your way at work?\nform_title: Tell us\n")
    from_json = parse_wording('{"question": "What gets in your way at work?"}')

    assert from_yaml.question == from_json.question == "What gets in your way at work?"
    assert from_yaml.form_title == "Tell us"
    assert from_yaml.intro == DEFAULT_WORDING.intro
    assert parse_wording("") == DEFAULT_WORDING


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("questoin: typo", "unknown text 'questoin'; the texts are: form_title, intro"),
        ("question: ''", "question must be a non-empty text"),
        ("question: 3", "question must be a non-empty text"),
        (
            "form_title: A title far longer than Slack allows",
            "form_title is 36 characters; Slack shows at most 24",
        ),
        ("- just\n- a list", "must be a mapping"),
        ("question: [unclosed", "not valid YAML or JSON"),
    ],
)
def test_bad_wording_is_refused_with_the_reason(source: str, problem: str) -> None:
    with pytest.raises(WordingError, match=problem.replace("(", r"\(").replace("[", r"\[")):
        parse_wording(source)


def test_every_default_text_fits_its_place() -> None:
    for name, limit in LIMITS.items():
        assert 0 < len(getattr(DEFAULT_WORDING, name)) <= limit, name


def test_the_setting_points_at_a_file_that_must_be_valid(tmp_path: Path) -> None:
    good = tmp_path / "wording.yaml"
    good.write_text("question: What gets in your way?\n", encoding="utf-8")
    assert load_settings(PAINPOINT_WORDING=str(good)).wording == str(good)

    bad = tmp_path / "bad.yaml"
    bad.write_text("colour: blue\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"^invalid setting PAINPOINT_WORDING: .*unknown text"):
        load_settings(PAINPOINT_WORDING=str(bad))
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(PAINPOINT_WORDING=str(tmp_path / "missing.yaml"))


def test_retention_is_off_unless_set() -> None:
    assert load_settings().retention_days is None
    assert load_settings(PAINPOINT_RETENTION_DAYS="off").retention_days is None
    assert load_settings(PAINPOINT_RETENTION_DAYS="90").retention_days == 90
    with pytest.raises(SettingsError, match="PAINPOINT_RETENTION_DAYS"):
        load_settings(PAINPOINT_RETENTION_DAYS="0")
