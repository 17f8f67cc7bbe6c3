"""Describe themes: c-TF-IDF keywords, a short title, representative quotes and counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from clustering.embedding import l2_normalise

MAX_TITLE_CHARS = 60
_VOWELS = set("aeiouy")


@dataclass(frozen=True)
class Quote:
    """One representative answer: its position in the input, text and reporter."""

    index: int
    text: str
    reporter: str | None
    similarity: float


@dataclass(frozen=True)
class ThemeDescription:
    """What a person needs to read a theme at a glance."""

    label: int
    title: str
    keywords: list[str]
    quotes: list[Quote]
    size: int
    n_reporters: int | None  # distinct reporters, None if reporters are unknown
    n_distinct: int  # distinct answers once near-duplicates are merged


@runtime_checkable
class Representation(Protocol):
    """A step that turns a labelled corpus into one description per theme."""

    def describe(
        self,
        texts: Sequence[str],
        labels: np.ndarray,
        embeddings: np.ndarray,
        *,
        reporter_ids: Sequence[str | None] | None = None,
        duplicate_groups: np.ndarray | None = None,
    ) -> list[ThemeDescription]:
        """Return descriptions for themes 0..max(labels), in label order."""
        ...


def ctfidf_keywords(
    texts: Sequence[str], labels: np.ndarray, top_n: int = 10, min_doc_count: int = 1
) -> dict[int, list[tuple[str, float]]]:
    """Top terms per theme by class-based TF-IDF (BERTopic's formula).

    Term counts are summed per theme (as if its texts were one document), L1-normalised
    per theme and weighted by log(1 + A / f_x), where A is the average number of words
    per theme and f_x the term's count over all themes. English stop words and numbers
    are dropped; unigrams and bigrams are scored. Texts are counted one by one and then
    summed, so no bigram spans two answers. Terms found in fewer than ``min_doc_count``
    of a theme's texts are skipped. Unassigned items (-1) are left out.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    labels = np.asarray(labels)
    themes = sorted(int(t) for t in np.unique(labels) if t >= 0)
    if not themes:
        return {}
    members = np.flatnonzero(labels >= 0)
    # words start with a letter: "10 minutes" and ticket numbers make poor keywords
    vectorizer = CountVectorizer(
        ngram_range=(1, 2), stop_words="english", token_pattern=r"(?u)\b[^\W\d_]\w+\b"
    )
    try:
        doc_counts = vectorizer.fit_transform([texts[i] for i in members.tolist()])
    except ValueError:  # only stop words or no words at all
        return {t: [] for t in themes}
    row_of = {t: r for r, t in enumerate(themes)}
    member_theme = np.array([row_of[int(labels[i])] for i in members.tolist()])
    indicator = sparse.csr_matrix(
        (np.ones(len(members)), (member_theme, np.arange(len(members)))),
        shape=(len(themes), len(members)),
    )
    counts = (indicator @ doc_counts).tocsr()
    doc_freq = (indicator @ (doc_counts > 0).astype(np.float64)).tocsr()
    words_per_theme = float(np.asarray(counts.sum(axis=1)).mean())
    term_freq = np.asarray(counts.sum(axis=0)).ravel()
    idf = np.log(1.0 + words_per_theme / np.maximum(term_freq, 1))
    weights = normalize(counts, norm="l1", axis=1).multiply(idf).tocsr()
    vocab = vectorizer.get_feature_names_out()
    out: dict[int, list[tuple[str, float]]] = {}
    for row, theme in enumerate(themes):
        start, stop = weights.indptr[row], weights.indptr[row + 1]
        cols, vals = weights.indices[start:stop], weights.data[start:stop]
        if min_doc_count > 1:
            support = np.asarray(doc_freq[row, cols].todense()).ravel()
            cols, vals = cols[support >= min_doc_count], vals[support >= min_doc_count]
        order = np.lexsort((cols, -vals))[:top_n]  # ties broken by vocabulary order
        out[theme] = [(str(vocab[cols[i]]), float(vals[i])) for i in order if vals[i] > 0]
    return out


def _title_word(word: str) -> str:
    # Short vowel-less words are nearly always acronyms (vpn, crm, sso, hr).
    if len(word) <= 4 and not (set(word) & _VOWELS) and word.isalpha():
        return word.upper()
    return word.capitalize()


def make_title(
    keywords: Sequence[str], max_terms: int = 3, max_chars: int = MAX_TITLE_CHARS
) -> str:
    """A readable title from the top keywords, e.g. "VPN Drops / Laptop", at most 60 chars.

    Keywords that repeat a word already in the title are skipped, so "vpn" after
    "vpn drops" adds nothing; a phrase replaces the single words it is made of, so
    "visual", "studio", "visual studio" give "Visual Studio".
    """
    picked: list[str] = []
    seen: set[str] = set()
    for keyword in keywords:
        words = keyword.split()
        if not words:
            continue
        if set(words) <= seen and not (len(words) > 1 and set(words) <= set(picked)):
            continue
        inside = [i for i, p in enumerate(picked) if set(p.split()) <= set(words)]
        candidate = [p for p in picked if set(p.split()) - set(words)]
        candidate.insert(inside[0] if inside else len(candidate), keyword)
        title = " / ".join(" ".join(_title_word(w) for w in k.split()) for k in candidate)
        if len(title) > max_chars:
            continue
        picked = candidate
        seen = {w for p in picked for w in p.split()}
        if len(picked) >= max_terms:
            break
    if not picked:
        return "Untitled theme"
    return " / ".join(" ".join(_title_word(w) for w in k.split()) for k in picked)


def representative_quotes(
    member_indices: Sequence[int] | np.ndarray,
    texts: Sequence[str],
    embeddings: np.ndarray,
    centroid: np.ndarray,
    *,
    reporter_ids: Sequence[str | None] | None = None,
    duplicate_groups: np.ndarray | None = None,
    n_quotes: int = 3,
) -> list[Quote]:
    """Up to n_quotes member texts closest to the centre, from distinct reporters and
    distinct near-duplicate groups (an unknown reporter counts as distinct)."""
    members = np.asarray(member_indices, dtype=np.int64)
    if members.size == 0:
        return []
    centre = l2_normalise(np.asarray(centroid, dtype=np.float32)[None, :])[0]
    sims = l2_normalise(embeddings[members]) @ centre
    quotes: list[Quote] = []
    used_reporters: set[str] = set()
    used_groups: set[int] = set()
    for pos in np.argsort(-sims, kind="stable"):
        i = int(members[pos])
        reporter = reporter_ids[i] if reporter_ids is not None else None
        group = int(duplicate_groups[i]) if duplicate_groups is not None else None
        if reporter is not None and reporter in used_reporters:
            continue
        if group is not None and group in used_groups:
            continue
        if not texts[i].strip():
            continue
        quotes.append(Quote(index=i, text=texts[i], reporter=reporter, similarity=float(sims[pos])))
        if reporter is not None:
            used_reporters.add(reporter)
        if group is not None:
            used_groups.add(group)
        if len(quotes) >= n_quotes:
            break
    return quotes


def describe_themes(
    texts: Sequence[str],
    labels: np.ndarray,
    embeddings: np.ndarray,
    *,
    reporter_ids: Sequence[str | None] | None = None,
    duplicate_groups: np.ndarray | None = None,
    n_keywords: int = 8,
    n_quotes: int = 3,
) -> list[ThemeDescription]:
    """Describe themes 0..max(labels): keywords, title, quotes, size and reporter counts."""
    labels = np.asarray(labels, dtype=np.int64)
    if len(texts) != len(labels) or len(embeddings) != len(labels):
        raise ValueError("texts, labels and embeddings must have the same length")
    if reporter_ids is not None and len(reporter_ids) != len(labels):
        raise ValueError("reporter_ids must have one entry per text")
    n_themes = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    # Keywords (and so titles) should stand for several answers, not one odd phrase;
    # themes too small for that fall back to every term.
    keywords = ctfidf_keywords(texts, labels, top_n=n_keywords, min_doc_count=2)
    fallback = ctfidf_keywords(texts, labels, top_n=n_keywords)
    x = l2_normalise(embeddings)
    out: list[ThemeDescription] = []
    for theme in range(n_themes):
        members = np.flatnonzero(labels == theme)
        centroid = x[members].mean(axis=0) if members.size else np.zeros(x.shape[1])
        words = [w for w, _ in keywords.get(theme, []) or fallback.get(theme, [])]
        reporters = (
            len({reporter_ids[i] for i in members.tolist() if reporter_ids[i] is not None})
            if reporter_ids is not None
            else None
        )
        distinct = (
            len(np.unique(duplicate_groups[members]))
            if duplicate_groups is not None
            else len(members)
        )
        out.append(
            ThemeDescription(
                label=theme,
                title=make_title(words),
                keywords=words,
                quotes=representative_quotes(
                    members,
                    texts,
                    x,
                    centroid,
                    reporter_ids=reporter_ids,
                    duplicate_groups=duplicate_groups,
                    n_quotes=n_quotes,
                ),
                size=int(members.size),
                n_reporters=reporters,
                n_distinct=int(distinct),
            )
        )
    return out


class CTfidfRepresentation:
    """The default representation step: c-TF-IDF keywords, title and quotes."""

    def __init__(self, n_keywords: int = 8, n_quotes: int = 3) -> None:
        self.n_keywords = n_keywords
        self.n_quotes = n_quotes

    def describe(
        self,
        texts: Sequence[str],
        labels: np.ndarray,
        embeddings: np.ndarray,
        *,
        reporter_ids: Sequence[str | None] | None = None,
        duplicate_groups: np.ndarray | None = None,
    ) -> list[ThemeDescription]:
        """Describe every theme (see ``describe_themes``)."""
        return describe_themes(
            texts,
            labels,
            embeddings,
            reporter_ids=reporter_ids,
            duplicate_groups=duplicate_groups,
            n_keywords=self.n_keywords,
            n_quotes=self.n_quotes,
        )
