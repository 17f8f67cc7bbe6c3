"""Describe themes: c-TF-IDF keywords, a short title, representative quotes and counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from clustering.embedding import l2_normalise
from clustering.keywords import TermStats, ctfidf_keywords, term_stats
from clustering.titles import best_titles, candidate_phrases, written_in_capitals

MAX_TITLE_CHARS = 60
# Per theme: candidate phrases of each source report, word weights, word support, and
# the support a title word needs (the positional arguments of ``best_titles``).
TitleInputs = tuple[
    list[list[list[str]]], list[dict[str, float]], list[Callable[[str], int]], list[int]
]
DEFAULT_MIN_REPORTERS = 3
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
    min_reporters: int = DEFAULT_MIN_REPORTERS,
    n_title_sources: int = 20,
) -> list[ThemeDescription]:
    """Describe themes 0..max(labels): keywords, title, quotes, size and reporter counts.

    When reporter ids are known, every keyword and every content word of the title is
    used by at least ``min_reporters`` distinct reporters of the theme (a word only one
    or two people used would identify them); a theme where no phrase qualifies is named
    by its keywords ("Onboarding and access", or "Tickets (unnamed)" when it has one),
    else "Unnamed theme". Without reporter ids, words must occur in two texts of the theme.
    Titles come from the ``n_title_sources`` reports closest to the theme's centre.
    """
    labels = np.asarray(labels, dtype=np.int64)
    _check_lengths(texts, labels, embeddings, reporter_ids)
    n_themes = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    known = reporter_ids is not None and any(r is not None for r in reporter_ids)
    stats = term_stats(texts, labels, reporter_ids if known else None)
    keyword_lists = _keywords(texts, labels, n_themes, stats, known, min_reporters, n_keywords)
    x = l2_normalise(embeddings)
    member_lists = [np.flatnonzero(labels == theme) for theme in range(n_themes)]
    centroids = [
        x[m].mean(axis=0) if m.size else np.zeros(x.shape[1], dtype=np.float32)
        for m in member_lists
    ]
    inputs = _titles(
        texts, x, member_lists, centroids, stats, (known, min_reporters, n_title_sources)
    )
    titles = _best_titles(texts, member_lists, inputs, keyword_lists, known)
    return [
        ThemeDescription(
            label=theme,
            title=titles[theme],
            keywords=keyword_lists[theme],
            quotes=representative_quotes(
                members,
                texts,
                x,
                centroids[theme],
                reporter_ids=reporter_ids,
                duplicate_groups=duplicate_groups,
                n_quotes=n_quotes,
            ),
            size=int(members.size),
            n_reporters=_reporter_count(members, reporter_ids),
            n_distinct=_distinct_count(members, duplicate_groups),
        )
        for theme, members in enumerate(member_lists)
    ]


def _check_lengths(
    texts: Sequence[str],
    labels: np.ndarray,
    embeddings: np.ndarray,
    reporter_ids: Sequence[str | None] | None,
) -> None:
    if len(texts) != len(labels) or len(embeddings) != len(labels):
        raise ValueError("texts, labels and embeddings must have the same length")
    if reporter_ids is not None and len(reporter_ids) != len(labels):
        raise ValueError("reporter_ids must have one entry per text")


def _reporter_count(members: np.ndarray, reporter_ids: Sequence[str | None] | None) -> int | None:
    """Distinct known reporters among the members; None when reporters are not known."""
    if reporter_ids is None:
        return None
    return len({reporter_ids[i] for i in members.tolist() if reporter_ids[i] is not None})


def _distinct_count(members: np.ndarray, duplicate_groups: np.ndarray | None) -> int:
    """Members that are not near-duplicates of one another."""
    if duplicate_groups is None:
        return len(members)
    return len(np.unique(duplicate_groups[members]))


def _keywords(
    texts: Sequence[str],
    labels: np.ndarray,
    n_themes: int,
    stats: TermStats | None,
    known: bool,
    min_reporters: int,
    n_keywords: int,
) -> list[list[str]]:
    if known:
        # privacy: no fallback to words fewer people used, even if that leaves none
        by_reporters = ctfidf_keywords(
            texts, labels, n_keywords, min_reporters=min_reporters, stats=stats
        )
        return [[w for w, _ in by_reporters.get(t, [])] for t in range(n_themes)]
    # Keywords should stand for several answers, not one odd phrase; themes too small
    # for that fall back to every term.
    keywords = ctfidf_keywords(texts, labels, n_keywords, min_doc_count=2, stats=stats)
    fallback = ctfidf_keywords(texts, labels, n_keywords, stats=stats)
    return [[w for w, _ in keywords.get(t) or fallback.get(t, [])] for t in range(n_themes)]


def _titles(
    texts: Sequence[str],
    x: np.ndarray,
    member_lists: list[np.ndarray],
    centroids: list[np.ndarray],
    stats: TermStats | None,
    settings: tuple[bool, int, int],
) -> TitleInputs:
    """Inputs of ``best_titles``: candidate phrases, word weights and support per theme."""
    known, min_reporters, n_sources = settings
    sources: list[np.ndarray] = []
    for members, centroid in zip(member_lists, centroids, strict=True):
        sims = x[members] @ centroid if members.size else np.zeros(0)
        sources.append(members[np.argsort(-sims, kind="stable")[:n_sources]])
    flat = [int(i) for src in sources for i in src]
    # one parser pass over every theme's sources: spaCy is much faster in batches
    phrases = candidate_phrases([texts[i] for i in flat])
    per_theme: list[list[list[str]]] = []
    weights: list[dict[str, float]] = []
    supports: list[Callable[[str], int]] = []
    min_supports: list[int] = []
    pos = 0
    for theme, src in enumerate(sources):
        per_theme.append(phrases[pos : pos + len(src)])
        pos += len(src)
        row = stats.row(theme) if stats is not None else None
        if stats is None or row is None:
            weights.append({})
            supports.append(lambda _w: 0)
        else:
            weights.append(_row_dict(stats.weights, row, stats.vocab))
            counts = _row_dict(stats.reporters if known else stats.doc_freq, row, stats.vocab)
            supports.append(lambda w, c=counts: int(c.get(w, 0)))  # type: ignore[misc]
        min_supports.append(min_reporters if known else min(2, len(member_lists[theme])))
    return per_theme, weights, supports, min_supports


def _best_titles(
    texts: Sequence[str],
    member_lists: list[np.ndarray],
    inputs: TitleInputs,
    keyword_lists: list[list[str]],
    known: bool,
) -> list[str]:
    """``best_titles`` on the inputs of ``_titles``, spelled as the themed reports spell."""
    # without reporter ids no privacy rule applies: a phrase of one report beats nothing
    fallback_supports = [m if known else 1 for m in inputs[3]]
    return best_titles(
        *inputs,
        keywords=keyword_lists,
        fallback_supports=fallback_supports,
        capitals=written_in_capitals(texts[i] for m in member_lists for i in m.tolist()),
    )


def _row_dict(matrix: Any, row: int, vocab: np.ndarray) -> dict[str, float]:
    start, stop = matrix.indptr[row], matrix.indptr[row + 1]
    return {
        str(vocab[c]): float(v)
        for c, v in zip(matrix.indices[start:stop], matrix.data[start:stop], strict=True)
    }


class CTfidfRepresentation:
    """The default representation step: c-TF-IDF keywords, a phrase title and quotes.

    ``min_reporters`` is the minimum-reporter rule applied to keywords and title words
    when reporter ids are known (see ``describe_themes``).
    """

    def __init__(
        self, n_keywords: int = 8, n_quotes: int = 3, min_reporters: int = DEFAULT_MIN_REPORTERS
    ) -> None:
        self.n_keywords = n_keywords
        self.n_quotes = n_quotes
        self.min_reporters = min_reporters

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
            min_reporters=self.min_reporters,
        )
