"""The fast stage: personal data that patterns and checksums can find without a language model.

E-mail addresses, payment cards (Luhn), IBANs (ISO 13616 checksum) and US SSNs come from
Presidio's own recognizers; phone numbers are candidates found by a cheap pattern and then
validated by `phonenumbers` (Presidio's PhoneRecognizer runs the phonenumbers matcher over
every region for every text, about 0.3 ms even on a text with no digits, which the
acknowledgement path cannot afford); configured company ids are Presidio pattern recognizers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import phonenumbers
import regex
import tldextract
from presidio_analyzer import Pattern, PatternRecognizer
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    UsSsnRecognizer,
)

from bot.domain.pii_patterns import IdPattern
from bot.privacy.findings import CARD, EMAIL, IBAN, ID, PHONE, Finding
from bot.privacy.slack import find_slack_and_secrets

# Presidio announces every recognizer it loads at INFO; none of it helps an operator, and
# it never logs analysed text at INFO or above, so warnings and errors still get through.
logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)

# The Public Suffix List snapshot bundled with tldextract: no download, no cache on disk,
# so nothing reaches for the network and no traceback reaches the logs.
_OFFLINE_SUFFIXES = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())
# Internal mail domains have no public suffix but are still somebody's address.
_PRIVATE_SUFFIXES = frozenset({"local", "internal", "corp", "lan", "intranet", "example"})


class _OfflineEmailRecognizer(EmailRecognizer):
    def validate_result(self, pattern_text: str) -> bool:
        domain = pattern_text.rpartition("@")[2].lower()
        if domain.rpartition(".")[2] in _PRIVATE_SUFFIXES:
            return True
        return bool(_OFFLINE_SUFFIXES(domain).fqdn)


# Presidio's card pattern predates Mastercard's 2221-2720 range (issued since 2017).
_MASTERCARD_2_SERIES = r"\b2[2-7]\d{2}[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}\b"


class _SsnRecognizer(UsSsnRecognizer):
    # Presidio drops the textbook SSNs (123-45-6789…) as samples; a report that contains one
    # is somebody testing the scrubber, who should see it go, not reach the phone rule.
    def invalidate_result(self, pattern_text: str) -> bool:
        digits = re.sub(r"\D", "", pattern_text)
        if digits in {"123456789", "987654320", "078051120"}:
            return len(set(re.findall(r"[-. ]", pattern_text))) > 1
        return bool(super().invalidate_result(pattern_text))


# Presidio's "medium" SSN shape (3-2-4 digits with one kind of separator); its "very weak"
# shapes are any run of nine digits and ZIP+4 codes, which are order numbers and addresses.
_SSN_MIN_SCORE = 0.5

# A phone candidate: optional +country, optional (area), then digits in groups. It may not
# end on the hour of a time ("2024-03-15 10:30") nor inside a word.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d[\d\s.-]{5,}\d(?!\w|:\d|[.,]\d)"
)
_DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_DOTTED = re.compile(r"^\d+(?:\.\d+)+$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_RANGE = re.compile(r"^([1-9]\d*)\s?-\s?([1-9]\d*)$")
_LOCAL_ONLY = re.compile(r"^\d{3}[\s.-]\d{4}$")
_PHONE_WORDS = re.compile(
    r"\b(?:call|called|calling|phone|phoned|ring|rings|mobile|cell|tel|telephone|dial|text|"
    r"sms|whatsapp|hotline|helpline|fax|landline|reach|extension|ext|switchboard)\b",
    re.IGNORECASE,
)
_ID_WORDS = re.compile(
    r"\b(?:p\.?o\.?|order|invoice|inv|ticket|case|ref|reference|sku|item|batch|serial|"
    r"tracking|shipment|contract|vendor|customer|material|article|account|acct|id)\b",
    re.IGNORECASE,
)
# Regions whose national numbers are tried, split by whether their numbers are written
# starting with a 0 (each parse costs ~20 µs, more once `re`'s pattern cache overflows, so a
# number is only tried where it could be written that way). Countries where any 8 digits
# form a valid number (Norway, Denmark, Singapore…) are left out: there a SKU looks like a
# phone, and their numbers are usually written with the country code anyway.
_WRITTEN_WITH_ZERO = (
    "GB", "DE", "FR", "IT", "NL", "BE", "AT", "CH", "IE", "SE", "AU", "IN", "BR", "ZA",
    "NG", "KE", "JP", "KR",
)  # fmt: skip
_WRITTEN_WITHOUT_ZERO = ("US", "IT", "ES", "PL", "PT", "MX", "BR", "IN")
_REGIONS = tuple(dict.fromkeys(_WRITTEN_WITHOUT_ZERO + _WRITTEN_WITH_ZERO))
# Indian mobile numbers are usually written without their trunk 0 (98765 43210).
_WRITTEN_WITHOUT_TRUNK = frozenset({"IN"})
_THOUSANDS = re.compile(r"^\d{1,3}(?:[\s.]\d{3})+$")
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥]|\b(?:EUR|USD|GBP|CHF|SEK|NOK|DKK|PLN|INR|JPY))\s*$")
_CURRENCY_AFTER = re.compile(r"^\s*(?:[$€£¥]|EUR|USD|GBP|CHF|SEK|NOK|DKK|PLN|INR|JPY)")
_CONTEXT_CHARS = 30
_ID_WORD_REACH = 12
# IBANs typed by hand are often lower case; Presidio's pattern is upper case only. ASCII
# upper-casing keeps every offset where it was.
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _is_phone(text: str, start: int, candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if not 7 <= len(digits) <= 15 or _DATE.match(candidate):
        return False
    # Versions (10.4.1.2301, 2024.03.15.1) have a one-digit group after the first and IP
    # addresses four groups of at most three; dotted phone numbers (415.555.0134,
    # 01.23.45.67.89) have neither.
    if _DOTTED.match(candidate) and (
        any(len(g) == 1 for g in candidate.split(".")[1:]) or _IPV4.match(candidate)
    ):
        return False
    before = text[max(0, start - _CONTEXT_CHARS) : start]
    after = text[start + len(candidate) : start + len(candidate) + 6]
    # Whichever kind of word stands nearer decides: "PO over 4500098765" is an order,
    # "the PO desk, call 0161 496 0000" a phone. An id word must be right before the
    # number ("the vendor's toll-free number 1-800-…" is a phone).
    phone_word = max((m.end() for m in _PHONE_WORDS.finditer(before)), default=-1)
    id_word = max((m.end() for m in _ID_WORDS.finditer(before)), default=-1)
    if id_word < len(before) - _ID_WORD_REACH:
        id_word = -1
    phone_context = phone_word > id_word
    if not phone_context and (id_word >= 0 or _is_amount(candidate, before, after)):
        return False
    if candidate.startswith(("+", "00")):
        return _valid_international(candidate)
    if _LOCAL_ONLY.match(candidate):
        # 555-0134 has no area code to validate: only the words around it tell.
        return phone_context
    range_match = _RANGE.match(candidate)
    if range_match and int(range_match.group(1)) < int(range_match.group(2)):
        return phone_context
    if len(digits) < 9:
        return False
    # A bare run of digits is an order or account number more often than a phone: unless
    # a phone word stands before it, only the shapes nobody uses for ids count (a North
    # American number, or one with its 0).
    if candidate.startswith("("):
        regions = _REGIONS
    elif digits.startswith("0"):
        regions = _WRITTEN_WITH_ZERO
    elif digits != candidate or phone_context:
        regions = _WRITTEN_WITHOUT_ZERO
    else:
        regions = ("US",)
    return any(_written_nationally(candidate, digits, r) for r in regions)


def _is_amount(candidate: str, before: str, after: str) -> bool:
    # "1 250 000 EUR", "$ 300 400 500": thousands grouped with spaces next to a currency.
    return bool(_THOUSANDS.match(candidate)) and bool(
        _CURRENCY_BEFORE.search(before) or _CURRENCY_AFTER.match(after)
    )


def _valid_international(candidate: str) -> bool:
    number = "+" + candidate[2:] if candidate.startswith("00") else candidate
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(number, None)))
    except phonenumbers.NumberParseException:
        return False


def _written_nationally(candidate: str, digits: str, region: str) -> bool:
    # phonenumbers accepts a national number without its trunk prefix ("123 456 789" is a
    # valid French number to it), which makes any run of nine digits a phone somewhere.
    # So the digits must also be written the way that country writes its numbers.
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    significant = phonenumbers.national_significant_number(number)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    written = {re.sub(r"\D", "", national)}
    if number.country_code == 1:
        written.add(f"1{significant}")  # 1-800-555-0199
    if region in _WRITTEN_WITHOUT_TRUNK:
        written.add(significant)
    return digits in written or digits == "0" + significant


def _id_recognizer(patterns: Sequence[IdPattern]) -> PatternRecognizer | None:
    if not patterns:
        return None
    return PatternRecognizer(
        supported_entity="COMPANY_ID",
        name="company_ids",
        patterns=[Pattern(p.name, p.regex, 1.0) for p in patterns],
        # Configured patterns mean what they say: case-sensitive unless they ask otherwise.
        global_regex_flags=regex.DOTALL | regex.MULTILINE,
    )


def _spans(
    recognizer: Any, text: str, kind: str, replacement: str, min_score: float = 0.0
) -> list[Finding]:
    results = recognizer.analyze(text, recognizer.supported_entities)
    return [Finding(r.start, r.end, kind, replacement) for r in results if r.score >= min_score]


class PatternDetector:
    """Everything the fast stage finds; one instance is safe to share between threads."""

    def __init__(self, id_patterns: Sequence[IdPattern] = ()) -> None:
        self._email = _OfflineEmailRecognizer()
        self._card = CreditCardRecognizer(
            patterns=[
                *CreditCardRecognizer.PATTERNS,
                Pattern("Mastercard 2-series", _MASTERCARD_2_SERIES, 0.3),
            ]
        )
        self._iban = IbanRecognizer()
        self._ssn = _SsnRecognizer()
        self._ids = _id_recognizer(id_patterns)

    def warm_up(self) -> None:
        """Load every region's phone metadata now: phonenumbers reads it on first use."""
        for region in _REGIONS:
            example = phonenumbers.example_number(region)
            if example is not None:
                national = phonenumbers.format_number(
                    example, phonenumbers.PhoneNumberFormat.NATIONAL
                )
                _written_nationally(national, re.sub(r"\D", "", national), region)

    def find(self, text: str) -> list[Finding]:
        found = find_slack_and_secrets(text)
        if "@" in text:
            found += _spans(self._email, text, "email", EMAIL)
        if self._ids is not None:
            found += _spans(self._ids, text, "id", ID)
        digits = sum(ch.isdigit() for ch in text)
        if digits >= 12:
            found += _spans(self._card, text, "card", CARD)
            found += _spans(self._iban, text.translate(_ASCII_UPPER), "iban", IBAN)
        if digits >= 7:
            found += _spans(self._ssn, text, "id", ID, _SSN_MIN_SCORE)
            # Validating a phone is the costly step; a card, IBAN or id would win anyway.
            taken = list(found)
            found += [
                Finding(m.start(), m.end(), "phone", PHONE)
                for m in _PHONE_CANDIDATE.finditer(text)
                if not any(t.start < m.end() and m.start() < t.end for t in taken)
                and _is_phone(text, m.start(), m.group(0))
            ]
        return found
