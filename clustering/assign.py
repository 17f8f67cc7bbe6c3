"""Post-clustering assignment: drop tiny themes, rehome noise, leave poor fits unassigned."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from clustering.cluster import compact_labels, nearest_centroid
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


def theme_centroids(embeddings: np.ndarray, labels: np.ndarray, n_themes: int) -> np.ndarray:
    """L2-normalised mean embedding of each theme 0..n_themes-1."""
    sums = np.zeros((n_themes, embeddings.shape[1]), dtype=np.float64)
    keep = (labels >= 0) & (labels < n_themes)
    np.add.at(sums, labels[keep], embeddings[keep])
    return l2_normalise(sums)


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
