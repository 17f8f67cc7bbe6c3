"""PAINPOINT_PII_PATTERNS: parsing, refusing bad patterns with one clear line, and use."""

from __future__ import annotations

import pytest

from bot.domain.pii_patterns import IdPattern, parse_pii_patterns
from bot.privacy.scrub import ID, Scrubber


def test_semicolon_form() -> None:
    assert parse_pii_patterns(r" employee_id=\bE\d{6}\b ; badge=\bB-\d{5}\b; ") == (
        IdPattern("employee_id", r"\bE\d{6}\b"),
        IdPattern("badge", r"\bB-\d{5}\b"),
    )


def test_json_form_allows_semicolons_in_a_pattern() -> None:
    assert parse_pii_patterns('{"odd": "X;\\\\d{4}"}') == (IdPattern("odd", r"X;\d{4}"),)


@pytest.mark.parametrize("spec", [None, "", "   ", ";"])
def test_nothing_configured(spec: str | None) -> None:
    assert parse_pii_patterns(spec) == ()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (r"employee_id=E(\d{6}", "pattern 'employee_id' is not a valid regular expression"),
        (r"\bE\d{6}\b", "is not of the form name=regex"),
        ("employee_id=", "pattern 'employee_id' is empty"),
        (r"employee_id=\d*", "pattern 'employee_id' matches the empty string"),
        (r"a=\d{5};a=\d{6}", "pattern 'a' is defined twice"),
        (r"1st=\d{5}", "'1st' is not a valid pattern name"),
        ('{"a": 5}', "JSON must map names to regexes"),
        ('{"a": ', "invalid JSON"),
    ],
)
def test_a_bad_setting_is_refused_with_one_clear_line(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match="PAINPOINT_PII_PATTERNS") as caught:
        parse_pii_patterns(spec)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_configured_ids_become_id_placeholders_in_the_fast_stage() -> None:
    scrubber = Scrubber(parse_pii_patterns(r"employee_id=\b(?:EMP-?\d{5}|E\d{6})\b"))
    assert scrubber.fast("ids E204871, EMP-10442 and EMP48812") == f"ids {ID}, {ID} and {ID}"


def test_configured_patterns_are_case_sensitive_unless_they_say_otherwise() -> None:
    exact = Scrubber(parse_pii_patterns(r"employee_id=\bE\d{6}\b"))
    assert exact.fast("e204871") == "e204871"
    relaxed = Scrubber(parse_pii_patterns(r"employee_id=(?i)\bE\d{6}\b"))
    assert relaxed.fast("e204871") == ID


def test_ticket_ids_are_kept_unless_configured() -> None:
    text = "JIRA-1234 is still open"
    assert Scrubber().fast(text) == text
    assert Scrubber(parse_pii_patterns(r"ticket=\bJIRA-\d+\b")).fast(text) == f"{ID} is still open"
