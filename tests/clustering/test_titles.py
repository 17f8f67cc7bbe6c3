import numpy as np
import pytest

from clustering.describe import describe_themes
from clustering.titles import (
    FALLBACK_TITLE,
    best_titles,
    candidate_phrases,
    content_words,
    duplicate_titles,
    keyword_title,
    title_problems,
    written_in_capitals,
)


@pytest.mark.parametrize(
    "title",
    [
        "VPN drops during calls",
        "Expense receipts retyped by hand",
        "New hires wait for access",
        "Month end",
        "Onboarding and access",
    ],
)
def test_good_titles_pass(title: str) -> None:
    assert title_problems(title) == []


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("Access / New / Just", "keyword list"),
        ("Onboarding / Does / New", "keyword list"),
        ("Clarify / Said / Didn", "fragment"),
        ("Po / Checking / Email", "keyword list"),
        ("VPN", "1 words"),
        ("ve", "fragment"),
        ("Just the VPN", "starts with filler"),
        ("Access for new", "ends with filler"),
        ("Laptop setup does", "ends with filler"),
        ("Why does this keep happening to me every day", "words"),
        ("", "empty"),
    ],
)
def test_bad_titles_are_named(title: str, problem: str) -> None:
    assert any(problem in p for p in title_problems(title)), title_problems(title)


def test_duplicate_titles_ignore_case() -> None:
    assert duplicate_titles(["VPN drops", "vpn drops", "Expense receipts", "VPN drops"]) == [
        "vpn drops"
    ]
    assert duplicate_titles(["a b", "c d"]) == []


def test_candidates_are_connected_phrases_that_keep_negation() -> None:
    (phrases,) = candidate_phrases(["New hires do not get access to shared drives"])
    assert "New hires" in phrases
    assert "access to shared drives" in phrases
    # "get access" cut out of "do not get access" would say the opposite
    assert not any(p.startswith("get access") for p in phrases)
    assert all(title_problems(p) == [] for p in phrases)


def test_candidates_keep_hyphenated_words_whole() -> None:
    (phrases,) = candidate_phrases(["Discount approvals need VP sign-off by email, every time"])
    assert "VP sign-off by email" in phrases
    # never a piece that ends inside "sign-off" or starts at its hyphen
    assert not any(p.endswith(" sign") or p.split()[-1] in {"sign", "-", "off"} for p in phrases)
    assert all(title_problems(p) == [] for p in phrases)


def test_keyword_title_skips_fillers_and_near_duplicates() -> None:
    assert keyword_title(["meeting", "meetings", "notes"], set()) == "Meeting and notes"
    assert keyword_title(["new", "month end"], set()) == "Month end"
    assert keyword_title(["just"], set()) is None


VPN = [
    "the vpn drops during calls",
    "vpn drops during calls again",
    "my vpn drops during calls every day",
    "vpn drops during calls and video freezes",
]
EXPENSES = [
    "expense receipts retyped by hand",
    "we retype expense receipts by hand",
    "expense receipts are retyped by hand each month",
    "expense receipts still retyped by hand",
]


def _describe(reporters: list[str] | None, min_reporters: int = 3) -> list[str]:
    texts = VPN + EXPENSES
    labels = np.array([0] * 4 + [1] * 4)
    x = np.eye(2, 8, dtype=np.float32)[labels] + 0.01
    out = describe_themes(texts, labels, x, reporter_ids=reporters, min_reporters=min_reporters)
    return [d.title for d in out]


def test_titles_are_phrases_from_the_reports() -> None:
    titles = _describe([f"u{i}" for i in range(8)])
    assert titles[0].lower().startswith("vpn drops")
    assert "receipts" in titles[1].lower()
    for title in titles:
        assert title_problems(title) == []
    assert not duplicate_titles(titles)


def test_title_and_keywords_only_use_words_of_enough_reporters() -> None:
    # "freezes", "video" and "month" are each used by one person only
    reporters = ["a", "b", "c", "d", "e", "f", "g", "h"]
    texts = VPN + EXPENSES
    labels = np.array([0] * 4 + [1] * 4)
    x = np.eye(2, 8, dtype=np.float32)[labels] + 0.01
    out = describe_themes(texts, labels, x, reporter_ids=reporters, min_reporters=3)
    for theme in out:
        members = np.flatnonzero(labels == theme.label)
        for word in content_words(theme.title) + [w for k in theme.keywords for w in k.split()]:
            users = {reporters[i] for i in members if word in content_words(texts[i])}
            assert len(users) >= 3, (theme.title, word)
        assert "video" not in theme.keywords and "month" not in theme.keywords


def test_a_theme_of_two_people_gets_no_identifying_words() -> None:
    # one person wrote all four VPN reports: nothing they wrote may be shown
    titles = _describe(["solo"] * 4 + ["a", "b", "c", "d"])
    assert titles[0] == FALLBACK_TITLE
    texts = VPN + EXPENSES
    labels = np.array([0] * 4 + [1] * 4)
    x = np.eye(2, 8, dtype=np.float32)[labels] + 0.01
    out = describe_themes(texts, labels, x, reporter_ids=["solo"] * 4 + ["a", "b", "c", "d"])
    assert out[0].keywords == []


def test_unknown_reporters_still_need_words_from_two_reports() -> None:
    titles = _describe(None)
    assert titles[0].lower().startswith("vpn drops")
    assert title_problems(titles[1]) == []


def test_a_theme_with_one_shared_word_is_titled_by_it_and_marked_unnamed() -> None:
    # "tickets" is the only word three people share: no phrase or keyword pair qualifies
    texts = [
        "tickets pile up every monday morning",
        "so many tickets about refunds",
        "our tickets never get triaged properly",
        "the printer jams on thick paper",
        "printer jams again during payroll",
        "printer jams whenever someone prints labels",
    ]
    labels = np.array([0, 0, 0, 1, 1, 1])
    x = np.eye(2, 8, dtype=np.float32)[labels] + 0.01
    out = describe_themes(texts, labels, x, reporter_ids=list("abcdef"), min_reporters=3)
    assert out[0].title == "Tickets (unnamed)"
    assert out[0].keywords == ["tickets"]
    assert title_problems(out[0].title) == []
    assert out[1].title.casefold() == "printer jams"


def test_keyword_titles_spell_words_as_people_write_them() -> None:
    texts = [
        "copy paste from crm to erp",
        "ERP exports from the CRM",
        "the ERP and the CRM are slow",
        "it is",
    ]
    capitals = written_in_capitals([*texts, "IT said no", "it never ends"])
    assert capitals == {"erp", "crm"}  # "it" is mostly written in lower case

    def titles(caps: frozenset[str]) -> list[str]:
        return best_titles(
            [[[]]], [{}], [lambda _w: 0], [3], keywords=[["erp", "crm"]], capitals=caps
        )

    assert titles(frozenset()) == ["Erp and CRM"]
    assert titles(capitals) == ["ERP and CRM"]
