"""Unit tests: keyed reporter pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
import re

from bot.privacy.pseudonym import import_pseudonym, reporter_pseudonym

KEY = "k" * 32


def test_pseudonym_is_hmac_sha256_of_team_and_user() -> None:
    expected = hmac.new(KEY.encode(), b"T1:U100", hashlib.sha256).hexdigest()
    assert reporter_pseudonym(KEY, "T1", "U100") == expected


def test_pseudonym_is_stable_and_hides_the_user_id() -> None:
    first = reporter_pseudonym(KEY, "T1", "U100")
    assert first == reporter_pseudonym(KEY, "T1", "U100")
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert "U100" not in first


def test_pseudonym_differs_per_user_team_and_key() -> None:
    base = reporter_pseudonym(KEY, "T1", "U100")
    others = {
        reporter_pseudonym(KEY, "T1", "U101"),
        reporter_pseudonym(KEY, "T2", "U100"),
        reporter_pseudonym("another-secret-key-0123", "T1", "U100"),
        hashlib.sha256(b"T1:U100").hexdigest(),  # without the key it cannot be recomputed
    }
    assert base not in others
    assert len(others) == 4


def test_team_and_user_cannot_be_shifted_into_each_other() -> None:
    assert reporter_pseudonym(KEY, "T1", "U1") != reporter_pseudonym(KEY, "T1U", "1")


def test_import_pseudonym_is_keyed_per_source_and_reporter() -> None:
    a = import_pseudonym(KEY, "survey.csv", "jane@example.com")
    assert a == import_pseudonym(KEY, "survey.csv", " jane@example.com ")
    assert a != import_pseudonym(KEY, "other.csv", "jane@example.com")
    assert "jane" not in a


def test_import_rows_without_a_reporter_are_all_distinct() -> None:
    anonymous = {import_pseudonym(KEY, "survey.csv", value) for value in (None, "", "  ") * 5}
    assert len(anonymous) == 15
