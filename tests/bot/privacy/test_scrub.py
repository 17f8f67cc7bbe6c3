"""What `scrub` (the full stage, default settings) removes, and what it must keep.

These cases predate the two-stage scrubber; they hold for both stages since none of them
contains a name or an address. Typed placeholders and false friends: test_stages.py.
"""

from __future__ import annotations

import pytest

from bot.privacy.scrub import EMAIL, LINK, MENTION, PHONE, SECRET, scrub

REMOVED = [
    # e-mail addresses
    ("mail jane.doe@example.com today", f"mail {EMAIL} today"),
    ("JANE+invoices@Example.CO.UK", EMAIL),
    ("<mailto:jane@example.com|jane@example.com>", EMAIL),
    ("first.last-name_1@sub.example.org, please", f"{EMAIL}, please"),
    # phone numbers
    ("call +1 415 555 0134", f"call {PHONE}"),
    ("call (020) 7946 0958", f"call {PHONE}"),
    ("call 555-0134 now", f"call {PHONE} now"),
    ("+44 20 7946 0958", PHONE),
    ("415.555.0134", PHONE),
    ("+14155550134", PHONE),
    ("4155550134", PHONE),
    ("01.23.45.67.89", PHONE),
    ("0049 30 1234567", PHONE),
    ("ring 555 0134 at 10:30", f"ring {PHONE} at 10:30"),
    # Slack mentions and broadcasts
    ("ask <@U012AB3CD>", f"ask {MENTION}"),
    ("ask <@U012AB3CD|jane>", f"ask {MENTION}"),
    ("ask <@W012AB3CD>", f"ask {MENTION}"),
    ("<!here> the build is red", f"{MENTION} the build is red"),
    ("<!channel>", MENTION),
    ("<!everyone>", MENTION),
    ("<!subteam^S012AB3CD|@finance> again", f"{MENTION} again"),
    ("<!subteam^S012AB3CD>", MENTION),
    ("@here please look", f"{MENTION} please look"),
    # handles typed by hand, which Slack did not turn into mentions
    ("ping @jdoe about the VPN", f"ping {MENTION} about the VPN"),
    ("thanks @maria.gonzalez.", f"thanks {MENTION}."),
    ("(cc @Sam_K-2)", f"(cc {MENTION})"),
    # URLs that can carry tokens
    ("see https://example.com/report?id=5&user=jane", f"see {LINK}"),
    ("https://example.com/reset?token=abc123", LINK),
    ("<https://example.com/x?token=abc|the report>", LINK),
    ("https://example.com/page#access_token=abc", LINK),
    ("https://jane:hunter2@example.com/files", LINK),
    ("https://example.com/auth/callback/xyz", LINK),
    ("https://hooks.example.com/api/session/123", LINK),
    # a member's profile link names them as surely as a mention does
    ("ask <https://acme.slack.com/team/U012AB3CD|Jane Doe>", f"ask {LINK}"),
    ("ask https://acme.slack.com/team/U012AB3CD", f"ask {LINK}"),
    ("https://app.slack.com/client/T0123ABCD/user_profile/W012AB3CD", LINK),
    # tokens
    ("token xoxb-1234567890-abcdefghijkl", f"token {SECRET}"),
    ("xoxp-123456789-123456789-abc", SECRET),
    ("xapp-1-A0123-4567-abcdef", SECRET),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123", SECRET),
    ("AKIAIOSFODNN7EXAMPLE", SECRET),
]

KEPT = [
    "the report was due on 2024-03-15",
    "the report was due on 15/03/2024",
    "due 15.03.2024 14:00",
    "it failed at 2024-03-15 10:30",
    "it failed at 12/03/2024 10:30",
    "2024-03-15T10:30:00Z",
    "March 15, 2024",
    "the 2023-2024 budget",
    "it costs 10,000 EUR a year",
    "$1,250,000.00 in late fees",
    "10.000,50 EUR",
    "1,000,000 rows",
    "we meet at 10:30",
    "9:00 - 17:00 every day",
    "the docs at https://example.com/docs/page",
    "https://wiki.example.com/Finance/Month_end_close",
    "version 1.2.3",
    "Python 3.11.4",
    "v2.10.1",
    "version 10.4.1.2301",
    "build 2024.03.15.1",
    "order 12345",
    "ticket #4521",
    "3.5 hours a week",
    "Q3 2024",
    "ISO 9001",
    "#general is noisy",
    "the word here and channel",
    "an @ sign alone",
    "meet @ 5pm, or @3pm",
]


@pytest.mark.parametrize(("text", "expected"), REMOVED, ids=[case[0] for case in REMOVED])
def test_personal_data_and_secrets_are_replaced(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_words_numbers_and_links_survive(text: str) -> None:
    assert scrub(text) == text


def test_slack_links_keep_a_safe_url_and_drop_the_label() -> None:
    assert scrub("see <https://example.com/docs|the docs>") == "see https://example.com/docs"


def test_channel_links_keep_the_channel_name() -> None:
    assert scrub("post in <#C0123|finance-help>") == "post in #finance-help"
    assert scrub("post in <#C0123>") == "post in #channel"


def test_everything_in_one_message_is_scrubbed() -> None:
    text = (
        "<@U1ABC> says: mail jane@example.com or call +1 415 555 0134, "
        "token xoxb-1111111111-abcdefghij, link https://x.example.com/a?sig=1 <!channel>"
    )
    scrubbed = scrub(text)
    for leaked in ("U1ABC", "jane", "415", "xoxb", "sig=1", "<!channel>"):
        assert leaked not in scrubbed
    assert scrubbed.count(MENTION) == 2


def test_scrubbing_is_idempotent() -> None:
    once = scrub("mail jane@example.com, call 555-0134, <@U1> https://a.example.com/?q=1")
    assert scrub(once) == once


def test_empty_text_stays_empty() -> None:
    assert scrub("") == ""
