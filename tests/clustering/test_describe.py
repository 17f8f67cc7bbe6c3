import numpy as np

from clustering.describe import (
    MAX_TITLE_CHARS,
    ctfidf_keywords,
    describe_themes,
    make_title,
    representative_quotes,
)

TEXTS = [
    "the vpn drops every morning",
    "vpn connection drops again",
    "vpn is slow and drops",
    "expense reports take weeks to approve",
    "expense approval is slow",
    "nobody approves my expense reports",
]
LABELS = np.array([0, 0, 0, 1, 1, 1])


def test_ctfidf_picks_the_distinctive_words_of_each_theme() -> None:
    kw = ctfidf_keywords(TEXTS, LABELS, top_n=3)
    assert kw[0][0][0] == "vpn" or kw[0][0][0] == "drops"
    assert {w for w, _ in kw[0]} & {"vpn", "drops"} == {"vpn", "drops"}
    assert kw[1][0][0] == "expense"
    assert all(w not in {"the", "is", "and"} for t in kw.values() for w, _ in t)
    scores = [s for _, s in kw[1]]
    assert scores == sorted(scores, reverse=True)


def test_ctfidf_matches_bertopic_formula_on_a_tiny_case() -> None:
    kw = ctfidf_keywords(["apple apple pear", "pear kiwi"], np.array([0, 1]), top_n=5)
    # counts: theme0 apple 2, pear 1 (+bigrams "apple apple", "apple pear");
    # A = mean words per theme = (5 + 3) / 2 = 4 (bigrams included, as in BERTopic)
    weights = dict(kw[0])
    assert weights["apple"] == np.float64(2 / 5 * np.log(1 + 4 / 2))
    assert weights["pear"] == np.float64(1 / 5 * np.log(1 + 4 / 2))


def test_ctfidf_includes_bigrams_and_skips_unassigned() -> None:
    texts = ["password reset", "password reset", "coffee machine", "coffee machine", "x y z"]
    kw = ctfidf_keywords(texts, np.array([0, 0, 1, 1, -1]), top_n=5)
    assert set(kw) == {0, 1}
    assert "password reset" in {w for w, _ in kw[0]}


def test_keywords_never_include_pieces_of_contractions() -> None:
    texts = [
        "I've retyped the invoice again, I've had enough",
        "we've retyped every invoice by hand, didn't we",
        "you'll retype the invoice and won't notice typos, I've seen it",
    ]
    kw = ctfidf_keywords(texts, np.array([0, 0, 0]), top_n=20)
    words = {w for term, _ in kw[0] for w in term.split()}
    assert "invoice" in words
    assert not words & {"ve", "ll", "didn", "won"}


def test_make_title_is_readable_and_short() -> None:
    assert make_title(["vpn drops", "vpn", "morning"]) == "VPN Drops / Morning"
    assert make_title(["expense", "approval", "reports", "weeks"]) == "Expense / Approval / Reports"
    assert make_title(["visual", "studio", "visual studio", "build"]) == "Visual Studio / Build"
    assert make_title(["oracle", "sql", "pl sql", "table"]) == "Oracle / PL SQL / Table"
    long = make_title(["a" * 40, "b" * 30, "c" * 10])
    assert len(long) <= MAX_TITLE_CHARS
    assert make_title([]) == "Untitled theme"


def test_quotes_come_from_distinct_reporters_and_groups() -> None:
    x = np.array([[1, 0], [0.99, 0.1], [0.98, 0.2], [0.9, 0.4], [0.8, 0.6]], dtype=np.float32)
    texts = ["a", "b", "c", "d", "e"]
    reporters = ["u1", "u1", "u2", "u3", "u4"]
    groups = np.array([0, 1, 0, 2, 3])
    quotes = representative_quotes(
        range(5), texts, x, np.array([1.0, 0.0]), reporter_ids=reporters, duplicate_groups=groups
    )
    # b: same reporter as a; c: same near-duplicate group as a
    assert [q.text for q in quotes] == ["a", "d", "e"]
    assert len({q.reporter for q in quotes}) == 3


def test_describe_themes_counts_sizes_and_reporters() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 8)).astype(np.float32)
    reporters = ["u1", "u1", "u2", "u3", "u3", "u3"]
    out = describe_themes(TEXTS, LABELS, x, reporter_ids=reporters, min_reporters=2)
    assert [d.size for d in out] == [3, 3]
    assert [d.n_reporters for d in out] == [2, 1]
    assert len(out[1].quotes) == 1  # one reporter, one quote
    assert "VPN" in out[0].title
    assert out[0].label == 0 and out[0].keywords
