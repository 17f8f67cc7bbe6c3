"""Class-based TF-IDF keywords and the per-theme support of every term (for privacy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Pieces of contractions ("I've" -> "ve", "didn't" -> "didn"): never a keyword or title word.
FRAGMENTS = frozenset(
    [
        "ve",
        "ll",
        "re",
        "didn",
        "doesn",
        "don",
        "isn",
        "wasn",
        "aren",
        "weren",
        "couldn",
        "shouldn",
        "wouldn",
        "won",
        "hasn",
        "haven",
        "hadn",
        "mustn",
        "needn",
        "ain",
        "s",
        "t",
        "m",
        "d",
    ]
)
# Never a keyword or a title's content word.
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | FRAGMENTS


@dataclass(frozen=True)
class TermStats:
    """Per-theme term statistics shared by keywords, titles and the privacy rule."""

    themes: list[int]  # theme label of each row of the matrices
    vocab: np.ndarray  # term of each column (unigrams and bigrams)
    weights: Any  # sparse (themes × terms): c-TF-IDF weight
    doc_freq: Any  # sparse (themes × terms): texts of the theme using the term
    reporters: Any  # sparse (themes × terms): distinct known reporters using the term

    def row(self, theme: int) -> int | None:
        """Matrix row of a theme label (None if the theme has no terms)."""
        try:
            return self.themes.index(theme)
        except ValueError:
            return None


def term_stats(
    texts: Sequence[str],
    labels: np.ndarray,
    reporter_ids: Sequence[str | None] | None = None,
) -> TermStats | None:
    """Class-based TF-IDF (BERTopic's formula) plus per-theme support of every term.

    Term counts are summed per theme (as if its texts were one document), L1-normalised
    per theme and weighted by log(1 + A / f_x), where A is the average number of words
    per theme and f_x the term's count over all themes. English stop words and numbers
    are dropped; unigrams and bigrams are scored. Texts are counted one by one and then
    summed, so no bigram spans two answers. Unassigned items (-1) are left out. Support
    counts distinct reporters (texts without a reporter id count for nobody). None if
    there are no themes or no words.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    labels = np.asarray(labels)
    themes = sorted(int(t) for t in np.unique(labels) if t >= 0)
    if not themes:
        return None
    members = np.flatnonzero(labels >= 0)
    # words start with a letter: "10 minutes" and ticket numbers make poor keywords
    vectorizer = CountVectorizer(
        ngram_range=(1, 2),
        stop_words=sorted(STOP_WORDS),
        token_pattern=r"(?u)\b[^\W\d_]\w+\b",
    )
    try:
        doc_counts = vectorizer.fit_transform([texts[i] for i in members.tolist()])
    except ValueError:  # only stop words or no words at all
        return None
    row_of = {t: r for r, t in enumerate(themes)}
    member_theme = np.array([row_of[int(labels[i])] for i in members.tolist()])
    indicator = sparse.csr_matrix(
        (np.ones(len(members)), (member_theme, np.arange(len(members)))),
        shape=(len(themes), len(members)),
    )
    used = (doc_counts > 0).astype(np.float64)
    counts = (indicator @ doc_counts).tocsr()
    words_per_theme = float(np.asarray(counts.sum(axis=1)).mean())
    term_freq = np.asarray(counts.sum(axis=0)).ravel()
    idf = np.log(1.0 + words_per_theme / np.maximum(term_freq, 1))
    weights = normalize(counts, norm="l1", axis=1).multiply(idf).tocsr()
    return TermStats(
        themes=themes,
        vocab=vectorizer.get_feature_names_out(),
        weights=weights,
        doc_freq=(indicator @ used).tocsr(),
        reporters=_reporter_support(used, member_theme, members, reporter_ids, len(themes)),
    )


def _reporter_support(
    used: Any,
    member_theme: np.ndarray,
    members: np.ndarray,
    reporter_ids: Sequence[str | None] | None,
    n_rows: int,
) -> Any:
    from scipy import sparse

    ids = [reporter_ids[i] if reporter_ids is not None else None for i in members.tolist()]
    pairs: dict[tuple[int, str], int] = {}
    rows, cols = [], []
    for col, (row, reporter) in enumerate(zip(member_theme.tolist(), ids, strict=True)):
        if reporter is not None:
            rows.append(pairs.setdefault((row, reporter), len(pairs)))
            cols.append(col)
    by_pair = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(pairs), len(members))
    )
    pair_uses = ((by_pair @ used) > 0).astype(np.float64)
    pair_theme = [row for row, _ in pairs]
    to_theme = sparse.csr_matrix(
        (np.ones(len(pairs)), (pair_theme, np.arange(len(pairs)))), shape=(n_rows, len(pairs))
    )
    return (to_theme @ pair_uses).tocsr()


def ctfidf_keywords(
    texts: Sequence[str],
    labels: np.ndarray,
    top_n: int = 10,
    min_doc_count: int = 1,
    *,
    reporter_ids: Sequence[str | None] | None = None,
    min_reporters: int = 0,
    stats: TermStats | None = None,
) -> dict[int, list[tuple[str, float]]]:
    """Top terms per theme by class-based TF-IDF (see ``term_stats``).

    Terms found in fewer than ``min_doc_count`` of a theme's texts, or used by fewer
    than ``min_reporters`` distinct reporters of it, are skipped.
    """
    labels = np.asarray(labels)
    if stats is None:
        stats = term_stats(texts, labels, reporter_ids)
    themes = sorted(int(t) for t in np.unique(labels) if t >= 0)
    if stats is None:
        return {t: [] for t in themes}
    out: dict[int, list[tuple[str, float]]] = {}
    for row, theme in enumerate(stats.themes):
        start, stop = stats.weights.indptr[row], stats.weights.indptr[row + 1]
        cols, vals = stats.weights.indices[start:stop], stats.weights.data[start:stop]
        keep = np.ones(len(cols), dtype=bool)
        if min_doc_count > 1:
            keep &= np.asarray(stats.doc_freq[row, cols].todense()).ravel() >= min_doc_count
        if min_reporters > 0:
            keep &= np.asarray(stats.reporters[row, cols].todense()).ravel() >= min_reporters
        cols, vals = cols[keep], vals[keep]
        order = np.lexsort((cols, -vals))[:top_n]  # ties broken by vocabulary order
        out[theme] = [(str(stats.vocab[cols[i]]), float(vals[i])) for i in order if vals[i] > 0]
    return out
