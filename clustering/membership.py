"""Who truly belongs to a theme: per-theme similarity thresholds learned from the data.

A report joins a theme when its cosine to the theme's centre (in the original,
L2-normalised embedding space) reaches that theme's threshold. The thresholds are
learned from the clustering itself, so the same rule works on 20 reports and on 50,000:

- each theme's members give the spread that is normal for it (their leave-one-out
  similarity to the centre, so a member does not vouch for itself);
- everything outside a theme gives the similarity that a non-member reaches by chance.

A threshold sits ``z`` robust spreads below the theme's median member, but never below
the ``low_quantile`` of chance similarities (a report must look more like the theme than
most unrelated pairs do) and never far above their ``high_quantile`` (a tight
theme of near-identical wordings must not shut out a differently worded report about
the same thing). Between re-clusterings, ``clustering.assign.join_labels`` applies the
same rule to new reports.
"""

from __future__ import annotations

import numpy as np

from clustering.cluster import compact_labels, label_sums, nearest_centroid
from clustering.embedding import l2_normalise
from clustering.merge import DEFAULT_SIGNIFICANCE, merge_split_themes

# Rows used to estimate the chance-similarity quantiles; bounds their cost on large sets.
_NULL_SAMPLE = 4000
_MAD_TO_SD = 1.4826
_BLOCK = 4096


def _unit_rows(x: np.ndarray) -> np.ndarray:
    # The pipeline passes normalised float32 rows; a copy of 50k x 384 would cost 77 MB.
    arr = np.asarray(x)
    if arr.dtype == np.float32 and arr.ndim == 2:
        norms = np.einsum("ij,ij->i", arr, arr)
        if np.allclose(norms[norms > 0], 1.0, atol=1e-3):
            return arr
    return l2_normalise(arr)


def leave_one_out_similarity(x: np.ndarray, labels: np.ndarray, n_themes: int) -> np.ndarray:
    """Cosine of each member to the centre of the other members of its theme (NaN if -1)."""
    sums = label_sums(x, labels, n_themes)
    out = np.full(len(labels), np.nan)
    members = np.flatnonzero(labels >= 0)
    # in blocks: a full (n, dim) array of "the rest of my theme" is 150 MB at 50k rows
    for start in range(0, len(members), _BLOCK):
        rows = members[start : start + _BLOCK]
        rest = sums[labels[rows]] - x[rows]
        norms = np.linalg.norm(rest, axis=1)
        sims = np.einsum("ij,ij->i", x[rows], rest) / np.where(norms > 0, norms, 1.0)
        out[rows] = np.nan_to_num(sims)
    return out


def _chance_quantiles(
    x: np.ndarray, labels: np.ndarray, centroids: np.ndarray, quantiles: tuple[float, ...]
) -> tuple[float, ...]:
    """Quantiles of the similarity of rows to the centres of themes they are not in."""
    n = len(labels)
    rows = np.arange(n)
    if n > _NULL_SAMPLE:
        rows = np.sort(np.random.default_rng(0).choice(n, _NULL_SAMPLE, replace=False))
    sims = x[rows] @ centroids.T
    outside = np.ones(sims.shape, dtype=bool)
    member = labels[rows] >= 0
    outside[np.flatnonzero(member), labels[rows][member]] = False
    values = sims[outside]
    if values.size == 0:
        return tuple(-1.0 if q < 0.95 else 1.0 for q in quantiles)
    return tuple(float(v) for v in np.quantile(values, quantiles))


def theme_thresholds(
    x: np.ndarray,
    labels: np.ndarray,
    n_themes: int | None = None,
    *,
    z: float = 2.5,
    z_large: float = 3.0,
    large_size: int = 100,
    low_quantile: float = 0.90,
    low_quantile_large: float = 0.85,
    high_quantile: float = 0.99,
    prior_rows: float = 10.0,
    floor: float = 0.05,
    ceiling_mix: float = 0.3,
) -> np.ndarray:
    """Per-theme join thresholds (cosine in the space of x) for themes 0..n_themes-1.

    The spread of a small theme is pulled towards the spread pooled over all themes as
    if ``prior_rows`` typical members had been added: six reports say little about how
    far a seventh may stray. ``z`` grows to ``z_large`` as a theme grows to
    ``large_size`` members: a far member of a theme of hundreds is the normal tail of a
    broad topic, while in a theme of six it is more likely a report the clustering
    swept in (measured: z 3 everywhere let the parking reports of the three-topic
    scenario into a theme; z 2.5 everywhere left 7.6 % of stackoverflow unassigned).
    """
    x = _unit_rows(x)
    labels = np.asarray(labels, dtype=np.int64)
    k = int(labels.max()) + 1 if n_themes is None and (labels >= 0).any() else n_themes or 0
    if k == 0:
        return np.zeros(0, dtype=np.float64)
    loo = leave_one_out_similarity(x, labels, k)
    centroids = l2_normalise(label_sums(x, labels, k))
    lo_small, lo_large, hi = _chance_quantiles(
        x, labels, centroids, (low_quantile, low_quantile_large, high_quantile)
    )
    medians = np.zeros(k)
    spreads = np.zeros(k)
    sizes = np.bincount(labels[labels >= 0], minlength=k).astype(np.float64)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(k + 1))
    for t in range(k):
        values = loo[order[bounds[t] : bounds[t + 1]]]
        if values.size:
            medians[t] = np.median(values)
            spreads[t] = _MAD_TO_SD * np.median(np.abs(values - medians[t]))
    pooled = np.sqrt(np.sum(sizes * spreads**2) / max(sizes.sum(), 1.0))
    shrunk = np.sqrt((sizes * spreads**2 + prior_rows * pooled**2) / (sizes + prior_rows))
    growth = np.minimum(1.0, sizes / max(large_size, 1))
    low = np.maximum(lo_small + (lo_large - lo_small) * growth, floor)
    top = np.maximum(hi, low)
    ceiling = np.maximum(top + ceiling_mix * (medians - top), low)
    z_t = z + (z_large - z) * growth
    thresholds: np.ndarray = np.clip(medians - z_t * shrunk, low, ceiling)
    return thresholds


def _drop_small(labels: np.ndarray, min_size: int) -> np.ndarray:
    if not (labels >= 0).any():
        return labels
    sizes = np.bincount(labels[labels >= 0])
    small = sizes < min_size
    out = np.where((labels >= 0) & small[np.maximum(labels, 0)], -1, labels)
    return compact_labels(out)


class ThresholdAssigner:
    """The default assignment step: keep only reports that truly belong to their theme.

    1. Themes under ``min_theme_size`` members are dissolved, and two neighbouring
       themes that are one topic cut in two are merged (``clustering.merge``;
       ``merge_significance=None`` turns this off).
    2. A member whose leave-one-out similarity to its theme is below the theme's
       threshold (``theme_thresholds``) becomes unassigned: a one-off stays out instead
       of padding a theme (and its reporter count).
    3. Unassigned rows join their nearest theme when they reach its threshold: the
       rule ``join_labels`` applies to new reports between re-clusterings.
    Steps 2 and 3 repeat until the labels settle (at most ``max_rounds``).
    """

    def __init__(
        self,
        min_theme_size: int = 3,
        max_rounds: int = 6,
        z: float = 2.5,
        ceiling_mix: float = 0.3,
        merge_significance: float | None = DEFAULT_SIGNIFICANCE,
    ) -> None:
        self.min_theme_size = min_theme_size
        self.merge_significance = merge_significance
        self.max_rounds = max_rounds
        self.z = z
        self.ceiling_mix = ceiling_mix

    def thresholds(self, embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Join thresholds of the themes in labels, with this assigner's settings."""
        return theme_thresholds(embeddings, labels, z=self.z, ceiling_mix=self.ceiling_mix)

    def _thresholds(self, x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
        return theme_thresholds(x, labels, k, z=self.z, ceiling_mix=self.ceiling_mix)

    def assign(self, embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Return labels ordered by theme size (0 = largest), -1 for unassigned."""
        from clustering.assign import order_by_size

        x = _unit_rows(embeddings)
        labels = _drop_small(compact_labels(labels), self.min_theme_size)
        if self.merge_significance is not None:
            labels = merge_split_themes(x, labels, self.merge_significance)
        for _ in range(self.max_rounds):
            if not (labels >= 0).any():
                break
            k = int(labels.max()) + 1
            thresholds = self._thresholds(x, labels, k)
            loo = leave_one_out_similarity(x, labels, k)
            kept = np.where((labels >= 0) & (loo >= thresholds[np.maximum(labels, 0)]), labels, -1)
            kept = _drop_small(compact_labels(kept), self.min_theme_size)
            if (kept >= 0).any():
                k = int(kept.max()) + 1
                centroids = l2_normalise(label_sums(x, kept, k))
                thresholds = self._thresholds(x, kept, k)
                out = np.flatnonzero(kept < 0)
                best, sim = nearest_centroid(x[out], centroids)
                joins = sim >= thresholds[best]
                kept[out[joins]] = best[joins]
            if np.array_equal(kept, labels):
                break
            labels = kept
        return order_by_size(labels)
