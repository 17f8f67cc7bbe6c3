"""ThemePipeline: swappable steps (embed, reduce, cluster, assign, describe) in a row."""

from __future__ import annotations

from collections.abc import Sequence, Sized
from dataclasses import dataclass, field

import numpy as np

from clustering.assign import Assigner, join_labels, theme_centroids
from clustering.cluster import Clusterer, GraphKMeans
from clustering.describe import (
    DEFAULT_MIN_REPORTERS,
    CTfidfRepresentation,
    Representation,
    ThemeDescription,
)
from clustering.duplicates import group_near_duplicates
from clustering.embedding import Embedder, SentenceTransformerEmbedder, l2_normalise
from clustering.membership import ThresholdAssigner, theme_thresholds
from clustering.nonanswers import is_non_answer
from clustering.reduce import PCAReducer, Reducer

DEFAULT_MIN_ITEMS = 10


@dataclass(frozen=True)
class ClusteringResult:
    """Themes found in a corpus. Arrays have one entry per input text."""

    labels: np.ndarray  # theme per text, 0 = largest theme, -1 = unassigned or non-answer
    centroids: np.ndarray  # (n_themes, dim) L2-normalised centre of each theme
    themes: list[ThemeDescription]  # themes[i] describes label i
    non_answer: np.ndarray  # bool: the text was a non-answer ("n/a", "nothing", ...)
    duplicate_groups: np.ndarray  # near-duplicate group per text (-1 for non-answers)
    enough_data: bool = True
    message: str = ""
    k_scores: dict[int, float] = field(default_factory=dict)  # silhouette per k tried
    # per theme: the cosine to its centroid a report needs to join it (see ``join``)
    thresholds: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))

    @property
    def n_themes(self) -> int:
        """Number of themes found."""
        return len(self.themes)

    @property
    def n_unassigned(self) -> int:
        """Texts in no theme, non-answers included."""
        return int((self.labels < 0).sum())

    @property
    def n_one_offs(self) -> int:
        """Usable texts that are close enough to no theme (non-answers not counted)."""
        return int(((self.labels < 0) & ~self.non_answer).sum())

    def join(self, vectors: np.ndarray) -> np.ndarray:
        """Theme each new embedding joins under this result's rule, -1 for none.

        Same as ``clustering.assign.join_labels(vectors, self.centroids,
        self.thresholds)``; non-answers must be filtered out before (they never join).
        """
        return join_labels(vectors, self.centroids, self.thresholds)


def _duplicate_groups(
    texts: Sequence[str], x: np.ndarray, labels: np.ndarray, threshold: float
) -> np.ndarray:
    # Near-duplicates almost always share a theme, so grouping within each theme gives
    # the same answer as a corpus-wide search at a fraction of its quadratic cost.
    groups = np.full(len(labels), -1, dtype=np.int64)
    offset = 0
    for theme in np.unique(labels):
        members = np.flatnonzero(labels == theme)
        local = group_near_duplicates([texts[i] for i in members.tolist()], x[members], threshold)
        groups[members] = local + offset
        offset += int(local.max()) + 1 if local.size else 0
    return groups


class ThemePipeline:
    """Find recurring themes in short texts; every step can be swapped.

    Defaults: the packaged MiniLM embedder, PCA to 64 dimensions, ``GraphKMeans`` (picks
    the number of themes itself), ``ThresholdAssigner`` (a topic cut in two is merged;
    reports not close enough to any theme stay unassigned) and c-TF-IDF descriptions
    with phrase titles.
    Non-answers never join a theme; below ``min_items`` usable texts the result says
    there is not enough data yet instead of inventing themes. ``random_state`` seeds
    the default reducer and clusterer (results are deterministic for a given seed).
    ``min_reporters`` is the minimum-reporter rule of the default representation: with
    reporter ids, keywords and title words must come from that many people.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        reducer: Reducer | None = None,
        clusterer: Clusterer | None = None,
        assigner: Assigner | None = None,
        representation: Representation | None = None,
        *,
        min_items: int = DEFAULT_MIN_ITEMS,
        duplicate_threshold: float = 0.95,
        random_state: int = 0,
        min_reporters: int = DEFAULT_MIN_REPORTERS,
    ) -> None:
        self._embedder = embedder
        self.reducer: Reducer = (
            reducer if reducer is not None else PCAReducer(64, random_state=random_state)
        )
        self.clusterer: Clusterer = (
            clusterer if clusterer is not None else GraphKMeans(random_state=random_state)
        )
        self.assigner: Assigner = assigner if assigner is not None else ThresholdAssigner()
        self.representation: Representation = (
            representation
            if representation is not None
            else CTfidfRepresentation(min_reporters=min_reporters)
        )
        self.min_items = min_items
        self.duplicate_threshold = duplicate_threshold

    def _thresholds(self, x: np.ndarray, labels: np.ndarray, n_themes: int) -> np.ndarray:
        # An assigner that learned its own rule reports it; for any other the thresholds
        # are learned the default way, so the result always carries a join rule.
        own = getattr(self.assigner, "thresholds", None)
        out = own(x, labels) if callable(own) else theme_thresholds(x, labels, n_themes)
        return np.asarray(out, dtype=np.float64)[:n_themes]

    def _cluster(self, x: np.ndarray, init_labels: np.ndarray | None) -> np.ndarray:
        """Reduce, cluster (warm-started when `init_labels` is given) and assign: a label per
        row of `x`, -1 for none."""
        reduced = self.reducer.fit_transform(x)
        if init_labels is not None:
            self.clusterer.fit(reduced, init_labels=init_labels)  # type: ignore[call-arg]
        else:
            self.clusterer.fit(reduced)
        return self.assigner.assign(x, np.asarray(self.clusterer.labels_))

    def _too_few(
        self, non_answer: np.ndarray, usable: int, embeddings: np.ndarray | None
    ) -> ClusteringResult:
        """No themes: fewer usable texts than `min_items`."""
        n = len(non_answer)
        return ClusteringResult(
            labels=np.full(n, -1, dtype=np.int64),
            centroids=np.zeros(
                (0, 0 if embeddings is None else embeddings.shape[1]), dtype=np.float32
            ),
            themes=[],
            non_answer=non_answer,
            duplicate_groups=np.full(n, -1, dtype=np.int64),
            enough_data=False,
            message=(
                f"Not enough reports yet: {usable} usable of the {self.min_items} "
                "needed to find themes."
            ),
        )

    @property
    def embedder(self) -> Embedder:
        """The embedder (the packaged MiniLM model unless one was given)."""
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder()
        return self._embedder

    def fit(
        self,
        texts: Sequence[str],
        embeddings: np.ndarray | None = None,
        *,
        reporter_ids: Sequence[str | None] | None = None,
        init_labels: Sequence[int] | np.ndarray | None = None,
    ) -> ClusteringResult:
        """Cluster texts (with precomputed embeddings if given) into described themes.

        ``init_labels`` (one per text, -1 = new) warm-starts the clusterer from a previous
        run so that themes keep their members; see ``clustering.stability``.
        """
        # One method on purpose: every step below works on the same usable-row subset,
        # and the result maps it back to the input once at the end.
        texts = [t if isinstance(t, str) else "" for t in texts]
        n = len(texts)
        _check_lengths(n, embeddings=embeddings, reporter_ids=reporter_ids, init_labels=init_labels)
        non_answer = np.array([is_non_answer(t) for t in texts], dtype=bool)
        usable = np.flatnonzero(~non_answer)
        labels = np.full(n, -1, dtype=np.int64)
        if len(usable) < self.min_items:
            return self._too_few(non_answer, len(usable), embeddings)
        usable_texts = [texts[i] for i in usable.tolist()]
        if embeddings is None:
            x = l2_normalise(self.embedder.embed(usable_texts))
        else:
            x = l2_normalise(np.asarray(embeddings)[usable])

        init = None if init_labels is None else np.asarray(init_labels, dtype=np.int64)[usable]
        sub_labels = self._cluster(x, init)
        n_themes = int(sub_labels.max()) + 1 if (sub_labels >= 0).any() else 0
        labels[usable] = sub_labels

        groups = np.full(n, -1, dtype=np.int64)
        groups[usable] = _duplicate_groups(usable_texts, x, sub_labels, self.duplicate_threshold)
        usable_reporters = (
            [reporter_ids[i] for i in usable.tolist()] if reporter_ids is not None else None
        )
        themes = self.representation.describe(
            usable_texts,
            sub_labels,
            x,
            reporter_ids=usable_reporters,
            duplicate_groups=groups[usable],
        )
        # Descriptions index into the usable subset; point quotes back at the input.
        themes = [_reindex(t, usable) for t in themes]
        return ClusteringResult(
            labels=labels,
            centroids=theme_centroids(x, sub_labels, n_themes),
            themes=themes,
            non_answer=non_answer,
            duplicate_groups=groups,
            k_scores=dict(getattr(self.clusterer, "scores_", {}) or {}),
            thresholds=self._thresholds(x, sub_labels, n_themes),
        )


def _check_lengths(n: int, **sequences: Sized | None) -> None:
    """Every per-text input given has one entry per text (ValueError names the one that has not)."""
    for name, seq in sequences.items():
        if seq is not None and len(seq) != n:
            raise ValueError(f"{name} has {len(seq)} entries for {n} texts")


def _reindex(theme: ThemeDescription, usable: np.ndarray) -> ThemeDescription:
    from dataclasses import replace

    quotes = [replace(q, index=int(usable[q.index])) for q in theme.quotes]
    return replace(theme, quotes=quotes)
