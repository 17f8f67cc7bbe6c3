"""Post-clustering assignment: drop tiny themes, rehome noise, leave poor fits unassigned.

``join_labels`` is the membership rule that the bot applies between re-clusterings.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from clustering.cluster import compact_labels, label_sums, nearest_centroid
from clustering.embedding import l2_normalise


@runtime_checkable
class Assigner(Protocol):
    """A step that revises cluster labels given the original embeddings (-1 = unassigned)."""

    def assign(self, embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Return revised labels, numbered 0..k-1 with -1 for unassigned."""
        ...


class KeepLabels:
    """The do-nothing assigner: keep the clusterer's labels (renumbered 0..k-1)."""

    def assign(self, embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:  # noqa: ARG002
        """Return the labels, compacted."""
        return compact_labels(labels)


def join_labels(vectors: np.ndarray, centroids: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """The theme each vector joins, or -1: its nearest centre, if it reaches that threshold.

    ``centroids`` and ``thresholds`` are ``ClusteringResult.centroids`` and
    ``ClusteringResult.thresholds`` (cosine in the original L2-normalised embedding
    space); vectors are normalised here. Pure, so the bot can decide between
    re-clusterings exactly as the engine decided for the reports it clustered.
    """
    x = l2_normalise(np.atleast_2d(np.asarray(vectors, dtype=np.float32)))
    cents = np.asarray(centroids, dtype=np.float32)
    limits = np.asarray(thresholds, dtype=np.float64)
    if len(cents) != len(limits):
        raise ValueError(f"{len(cents)} centroids but {len(limits)} thresholds")
    if len(cents) == 0 or x.shape[0] == 0:
        return np.full(x.shape[0], -1, dtype=np.int64)
    if cents.shape[1] != x.shape[1]:
        raise ValueError(f"vectors have {x.shape[1]} dimensions, centroids {cents.shape[1]}")
    best, sim = nearest_centroid(x, cents)
    return np.where(sim >= limits[best], best, -1).astype(np.int64)


def theme_centroids(embeddings: np.ndarray, labels: np.ndarray, n_themes: int) -> np.ndarray:
    """L2-normalised mean embedding of each theme 0..n_themes-1."""
    return l2_normalise(label_sums(embeddings, labels, n_themes))


def order_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber themes so that 0 is the largest (ties keep their order); -1 stays."""
    labels = compact_labels(labels)
    if not (labels >= 0).any():
        return labels
    sizes = np.bincount(labels[labels >= 0])
    rank = np.empty_like(sizes)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))
    out = labels.copy()
    out[labels >= 0] = rank[labels[labels >= 0]]
    return out


class NearestCentroidAssigner:
    """Tidy a clustering in the original embedding space.

    - Themes with fewer than ``min_theme_size`` members are dissolved.
    - Unclustered items (noise, dissolved themes) join the most similar remaining theme.
    - Items whose cosine to their theme's centre is below ``min_similarity`` become
      unassigned, but never more than ``max_unassigned`` of all items (the least similar
      go first): a theme list that silently hides many reports would mislead.
    """

    def __init__(
        self, min_similarity: float = 0.2, max_unassigned: float = 0.05, min_theme_size: int = 3
    ) -> None:
        self.min_similarity = min_similarity
        self.max_unassigned = max_unassigned
        self.min_theme_size = min_theme_size

    def assign(self, embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Return tidied labels ordered by theme size (0 = largest), -1 for unassigned."""
        x = l2_normalise(embeddings)
        labels = compact_labels(labels)
        n = len(labels)
        if n == 0 or not (labels >= 0).any():
            return labels
        sizes = np.bincount(labels[labels >= 0])
        small = sizes < self.min_theme_size
        if small.all():  # nothing big enough: keep the largest rather than lose everything
            small[np.argmax(sizes)] = False
        labels = np.where((labels >= 0) & small[np.maximum(labels, 0)], -1, labels)
        labels = compact_labels(labels)
        k = int(labels.max()) + 1
        centroids = theme_centroids(x, labels, k)
        homeless = labels < 0
        if homeless.any():
            labels[homeless], _ = nearest_centroid(x[homeless], centroids)
            centroids = theme_centroids(x, labels, k)
        sim = np.einsum("ij,ij->i", x, centroids[labels])
        poor = np.flatnonzero(sim < self.min_similarity)
        budget = int(np.floor(self.max_unassigned * n))
        if len(poor) > budget:
            poor = poor[np.argsort(sim[poor], kind="stable")[:budget]]
        labels[poor] = -1
        return order_by_size(labels)
