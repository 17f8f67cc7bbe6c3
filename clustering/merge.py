"""Merge neighbouring themes that are one topic cut in two.

On a few dozen reports the silhouette can prefer cutting one loose topic into two
halves of three. Whether two themes are really two is the question G-means asks
before it splits a cluster (Hamerly & Elkan, "Learning the k in k-means", 2003),
asked here the other way round: project both themes' rows onto the line between
their centres and test that projection for normality (Anderson-Darling). Two real
topics give two humps and the test rejects; two halves of one topic give one hump and
the themes are merged. The test's power grows with the number of rows, so on large
themes it only merges what is truly one group.
"""

from __future__ import annotations

import numpy as np

from clustering.cluster import compact_labels, label_sums
from clustering.embedding import l2_normalise

DEFAULT_SIGNIFICANCE = 0.05
# Below this many rows the test cannot show two groups; such a pair is one group.
_MIN_ROWS = 5


def looks_like_one_group(
    a: np.ndarray, b: np.ndarray, significance: float = DEFAULT_SIGNIFICANCE
) -> bool:
    """True unless rows a and b form two groups along the line between their means.

    The rows of both are projected onto that line; the union is one group when the
    Anderson-Darling test does not reject normality at ``significance``.
    """
    from scipy.stats import anderson

    if len(a) + len(b) < _MIN_ROWS:
        return True
    direction = a.mean(axis=0) - b.mean(axis=0)
    norm = float(np.linalg.norm(direction))
    # The projections spread at least `norm` apart, so above this the test has data to read.
    if norm <= 1e-9:
        return True
    unit = (direction / norm).astype(a.dtype)
    projection = np.concatenate([a @ unit, b @ unit]).astype(np.float64)
    result = anderson(projection, "norm", method="interpolate")
    return bool(result.pvalue > significance)


def merge_split_themes(
    x: np.ndarray, labels: np.ndarray, significance: float = DEFAULT_SIGNIFICANCE
) -> np.ndarray:
    """Merge pairs of mutually nearest themes that ``looks_like_one_group`` until none is left.

    Rows of x are embeddings, labels their themes (-1 = none, left as it is). Each
    round tests every pair of themes whose centres are each other's nearest and merges
    the pairs that pass; returns labels renumbered 0..k-1.
    """
    labels = compact_labels(labels)
    while (labels >= 0).any():
        k = int(labels.max()) + 1
        if k < 2:
            break
        centres = l2_normalise(label_sums(x, labels, k))
        similarity = centres @ centres.T
        np.fill_diagonal(similarity, -np.inf)
        nearest = similarity.argmax(axis=1)
        merged = labels.copy()
        for a in range(k):
            b = int(nearest[a])
            if (
                a < b
                and nearest[b] == a
                and looks_like_one_group(x[labels == a], x[labels == b], significance)
            ):
                merged[labels == b] = a
        if np.array_equal(merged, labels):
            break
        labels = compact_labels(merged)
    return labels
