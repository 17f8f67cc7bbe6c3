"""The two stages: typed placeholders, what runs where, false friends, threads, offline use."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.privacy import ner
from bot.privacy.findings import Finding
from bot.privacy.scrub import (
    ADDRESS,
    CARD,
    EMAIL,
    IBAN,
    ID,
    LINK,
    MENTION,
    NAME,
    PHONE,
    SECRET,
    Scrubber,
    default_scrubber,
    scrub,
    scrub_fast,
)

REPO = Path(__file__).resolve().parents[3]

PLACEHOLDERS = [
    ("Ask John Smith in AR about the approvals", f"Ask {NAME} in AR about the approvals"),
    ("Mehmet Yılmaz from payroll needs the export", f"{NAME} from payroll needs the export"),
    ("mail jane.doe@example.com today", f"mail {EMAIL} today"),
    ("write to it-help@corp.internal", f"write to {EMAIL}"),
    ("call +49 30 12345678 or 0151 23456789", f"call {PHONE} or {PHONE}"),
    ("card 4111 1111 1111 1111 keeps getting declined", f"card {CARD} keeps getting declined"),
    ("my new card 2221 0612 3100 7726", f"my new card {CARD}"),
    ("my IBAN DE89 3704 0044 0532 0130 00 was typed wrong", f"my IBAN {IBAN} was typed wrong"),
    ("typed as de89370400440532013000", f"typed as {IBAN}"),
    ("my SSN 512-38-4471 in an email", f"my SSN {ID} in an email"),
    ("the textbook SSN 123-45-6789", f"the textbook SSN {ID}"),
    ("letters still go to 14 Elm Road, Leeds", f"letters still go to {ADDRESS}, Leeds"),
    ("W-2 sent to 1600 Amphitheatre Pkwy, Mountain View, CA 94043", f"W-2 sent to {ADDRESS}"),
    ("the courier goes to Hauptstraße 5 instead", f"the courier goes to {ADDRESS} instead"),
    ("ask <@U0G9QF9C6|maria>", f"ask {MENTION}"),
    ("https://sso.example.com/reset?token=8f2a9c expired", f"{LINK} expired"),
    ("token xoxb-1234567890-abcdefghijkl", f"token {SECRET}"),
]

FALSE_FRIENDS = [
    "The approval range is 1000-2000 EUR and 2,000-3,000 invoices a month.",
    "PO 4500012345 has been stuck in SAP for three weeks.",
    "Every PO over 4500098765 needs a manual match.",
    "We upgraded to v2.3.1, Python 3.11 and release 10.4.1.2301.",
    "The invoice for $1,200 was rejected and we pay 4,500 EUR a month.",
    "It costs 1 250 000 EUR, or 12.50 USD per seat.",
    "Every week I spend 30 minutes on it, and it took two weeks in Q3.",
    "The review on 15.03.2024 at 10:30 was moved to 12/03/2024.",
    "The VPN drops and SAP, Salesforce, HubSpot and Jira disagree.",
    "Excel, Workday and Okta all want a different password.",
    "The Finance Ops team and Revenue Operations both own the dashboard.",
    "Customer Success logs every call twice, once in Gainsight.",
    "JIRA-1234 and INC0012345 describe the same bug.",
    "The Purchase Order process and the Expense Report template are broken.",
    "The card ending in 4242 is declined at the airport.",
    "Order 123456 shipped twice; cost centre 4410-200 is missing.",
    "The Berlin office is on the third floor.",
    "The VPN gateway 192.168.10.24 drops every hour.",
]

PHONES = [
    "+1 415 555 0134",
    "(212) 555-0199",
    "1-800-555-0199",
    "+44 20 7946 0958",
    "07700 900123",
    "+49 (0)40 123456",
    "089 12345678",
    "01 42 68 53 00",
    "06.12.34.56.78",
    "+91 98765 43210",
    "(11) 91234-5678",
    "0412 345 678",
    "954 123 456",
    "03-1234-5678",
    "0803 123 4567",
    "070-123 45 67",
]

NOT_PHONES = [
    "the SKU 40-1180-22",
    "course 101-204",
    "it costs 1 250 000 EUR",
    "PO over 4500098765",
    "order number 4155550134",
    "between 10000-20000 rows",
    "the 2023-2024 budget",
]


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    scrubber = Scrubber()
    scrubber.warm_up()
    return scrubber


@pytest.mark.parametrize(("text", "expected"), PLACEHOLDERS, ids=[c[0] for c in PLACEHOLDERS])
def test_every_kind_gets_its_typed_placeholder(
    scrubber: Scrubber, text: str, expected: str
) -> None:
    assert scrubber.full(text) == expected


@pytest.mark.parametrize("text", FALSE_FRIENDS)
def test_false_friends_survive_the_full_scrub(scrubber: Scrubber, text: str) -> None:
    assert scrubber.full(text) == text


@pytest.mark.parametrize("number", PHONES)
def test_phone_numbers_in_national_and_international_formats(number: str) -> None:
    assert scrub_fast(f"the desk is on {number} today") == f"the desk is on {PHONE} today"


@pytest.mark.parametrize("text", NOT_PHONES)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert scrub_fast(text) == text


def test_a_bare_run_of_digits_needs_a_phone_word_unless_north_american() -> None:
    assert scrub_fast("ref 9876543210") == "ref 9876543210"
    assert scrub_fast("my mobile is 9876543210") == f"my mobile is {PHONE}"
    assert scrub_fast("4155550134") == PHONE


class _ExplodingNer(ner.NerDetector):
    def find(self, text: str) -> list[Finding]:
        raise AssertionError("the fast stage ran NER")


def test_the_fast_stage_never_touches_names_or_addresses() -> None:
    text = "Ask John Smith at 14 Elm Road, mail jane@example.com or call +44 20 7946 0958"
    fast = Scrubber(ner=_ExplodingNer()).fast(text)
    assert fast == f"Ask John Smith at 14 Elm Road, mail {EMAIL} or call {PHONE}"


def test_full_is_fast_plus_names_and_addresses(scrubber: Scrubber) -> None:
    text = "Ask John Smith at 14 Elm Road, mail jane@example.com or call +44 20 7946 0958"
    assert scrubber.full(text) == f"Ask {NAME} at {ADDRESS}, mail {EMAIL} or call {PHONE}"
    assert scrubber.full(scrubber.fast(text)) == scrubber.full(text)


def test_full_is_idempotent(scrubber: Scrubber) -> None:
    for text, _ in PLACEHOLDERS:
        once = scrubber.full(text)
        assert scrubber.full(once) == once


def test_module_functions_use_the_default_scrubber() -> None:
    assert default_scrubber() is default_scrubber()
    assert scrub("Ask John Smith, +1 415 555 0134") == f"Ask {NAME}, {PHONE}"
    assert scrub_fast("Ask John Smith, +1 415 555 0134") == f"Ask John Smith, {PHONE}"


def test_several_threads_can_run_the_full_stage_at_once(scrubber: Scrubber) -> None:
    texts = [text for text, _ in PLACEHOLDERS] * 4
    expected = [scrubber.full(text) for text in texts]
    results: list[str | None] = [None] * len(texts)
    start = threading.Barrier(4)

    def work(offset: int) -> None:
        start.wait()
        for i in range(offset, len(texts), 4):
            results[i] = scrubber.full(texts[i])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected


def test_the_model_loads_once_however_many_threads_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    real_build = ner._build_engine

    def counting_build(model: str) -> object:
        built.append(model)
        return real_build(model)

    monkeypatch.setattr(ner, "_build_engine", counting_build)
    detector = ner.NerDetector()
    start = threading.Barrier(3)

    def work() -> None:
        start.wait()
        detector.find("Ask John Smith")

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == [ner.DEFAULT_MODEL]


def test_a_missing_model_is_an_error_not_a_download() -> None:
    with pytest.raises(RuntimeError, match="is not installed"):
        ner.NerDetector("en_no_such_model").load()


def test_no_log_record_carries_the_text(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    scrubber = Scrubber(ner=ner.NerDetector())
    scrubber.full("Ask Ngozi Okonkwo, ngozi@example.com")
    assert caplog.records, "loading is expected to log how long it took"
    for record in caplog.records:
        assert "Okonkwo" not in record.getMessage()
        assert "ngozi@" not in record.getMessage()


_OFFLINE_RUN = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network use is not allowed here")
socket.socket.connect = refuse
socket.create_connection = refuse
from bot.privacy.scrub import scrub
print(scrub("Ask John Smith at jane@example.co.uk"))
"""


def test_works_without_network_and_stays_quiet(tmp_path: Path) -> None:
    env = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", _OFFLINE_RUN],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Ask {NAME} at {EMAIL}"
    assert done.stderr == ""
