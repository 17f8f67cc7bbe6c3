"""Realistic pain-point reports for theme-engine tests with the real model."""

from __future__ import annotations

# (text, reporter): six reports each on three plain topics, from six people each.
EXPENSES = [
    "I retype every expense receipt by hand into the finance tool",
    "Expense receipts have to be typed in manually line by line each month",
    "Scanning and retyping expense receipts takes me an hour every week",
    "The expense tool can't read receipts so I enter every amount by hand",
    "Retyping taxi and hotel receipts into expense reports is a waste of time",
    "Every expense report means copying receipt totals by hand",
]
VPN = [
    "The VPN drops during video calls several times a day",
    "VPN disconnects every time I join a call from home",
    "My VPN connection keeps dropping in the middle of calls",
    "Calls freeze because the VPN drops out every hour",
    "The VPN keeps disconnecting, so I lose my calls and have to reconnect",
    "VPN drops during customer calls when I work remotely",
]
ONBOARDING = [
    "New hires wait a week for access to the shared drives",
    "Onboarding access requests for new starters take days to be approved",
    "Our new joiners cannot get system access during their first week",
    "New employees wait days for accounts and tool access when they start",
    "Getting a new hire access to email, Slack and the CRM takes a week of tickets",
    "Access for new team members is never ready on their first day",
]
PARKING = [
    "The parking garage gate does not open with my badge",
    "Parking garage barrier fails to read badges in the morning",
]
KOMBUCHA = [  # two people, two reports each
    ("Could we get a kombucha tap in the kitchen?", "k1"),
    ("Please add kombucha on tap next to the coffee", "k1"),
    ("A kombucha tap in the office kitchen would be great", "k2"),
    ("We need kombucha on tap, the fridge bottles always run out", "k2"),
]
AQUARIUM = [
    ("The office aquarium needs cleaning, the fish tank is green", "a1"),
    ("Nobody feeds the fish in the office aquarium", "a1"),
    ("The aquarium tank in the lobby is dirty and the fish look sick", "a2"),
    ("Can someone take care of the aquarium, the fish tank smells", "a2"),
]
ONE_OFFS = [
    ("Nothing comes to mind atm", "o1"),
    ("The coffee machine on the 2nd floor has been broken for a month", "o2"),
    ("Password expiry every 60 days on 4 different systems locks me out", "o3"),
]


def three_topics() -> tuple[list[str], list[str], list[int]]:
    """The issue's scenario: 18 reports in three plain topics plus 2 parking reports.

    Returns texts, reporter ids and the true topic (0, 1, 2; -1 for parking).
    """
    texts: list[str] = []
    reporters: list[str] = []
    truth: list[int] = []
    for topic, reports in enumerate((EXPENSES, VPN, ONBOARDING)):
        for n, text in enumerate(reports):
            texts.append(text)
            reporters.append(f"t{topic}-{n}")
            truth.append(topic)
    for n, text in enumerate(PARKING):
        texts.append(text)
        reporters.append(f"p{n}")
        truth.append(-1)
    return texts, reporters, truth


def padded_corpus(pair_topic: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The three topics plus a two-person topic and one-offs from three other people."""
    texts, reporters, _ = three_topics()
    for text, reporter in [*pair_topic, *ONE_OFFS]:
        texts.append(text)
        reporters.append(reporter)
    return texts, reporters
