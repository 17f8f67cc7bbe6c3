"""Keep theme identities stable when the corpus is re-clustered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from clustering.embedding import l2_normalise

ThemeId = int | str


@dataclass(frozen=True)
class ClusterMatch:
    """How the labels of a new clustering map onto existing theme ids."""

    mapping: dict[int, ThemeId]  # new label -> theme id (kept or newly created)
    new_ids: list[ThemeId] = field(default_factory=list)  # ids created in this run
    merges: dict[ThemeId, list[ThemeId]] = field(default_factory=dict)  # kept id -> absorbed ids
    splits: dict[ThemeId, list[ThemeId]] = field(default_factory=dict)  # old id -> split-off ids
    retired: list[ThemeId] = field(default_factory=list)  # old ids with no successor


def _default_id_factory(old_ids: Sequence[ThemeId]) -> Callable[[], ThemeId]:
    ints = [i for i in old_ids if isinstance(i, int)]
    counter = [max(ints, default=-1)]
    taken = {str(i) for i in old_ids}

    def next_id() -> ThemeId:
        counter[0] += 1
        while str(counter[0]) in taken:
            counter[0] += 1
        return counter[0]

    return next_id


def match_clusters(
    old_assignments: Mapping[Hashable, ThemeId],
    old_centroids: Mapping[ThemeId, np.ndarray],
    new_labels: Sequence[int] | np.ndarray,
    item_ids: Sequence[Hashable],
    new_centroids: np.ndarray,
    *,
    min_jaccard: float = 0.1,
    min_centroid_similarity: float = 0.9,
    id_factory: Callable[[], ThemeId] | None = None,
) -> ClusterMatch:
    """Map each new label to an existing theme id, or a new one, and record merges/splits.

    Pairs are scored by member overlap (Jaccard over the items present in both runs;
    removed items do not count against a theme) plus a small centroid-similarity term,
    and matched one-to-one with the Hungarian method. A pair qualifies with Jaccard >=
    ``min_jaccard``, or, when no members overlap, centroid cosine >= ``min_centroid_similarity``.
    An unmatched new cluster most of whose old members came from one theme is a split
    of it; an unmatched old theme most of whose members went to one new cluster was
    merged into that cluster's theme. ``new_centroids[j]`` is label j's centre.
    """
    labels = np.asarray(new_labels, dtype=np.int64)
    if len(labels) != len(item_ids):
        raise ValueError("new_labels and item_ids must have the same length")
    new_themes = sorted(int(t) for t in np.unique(labels) if t >= 0)
    old_ids: list[ThemeId] = sorted(
        {*old_centroids.keys(), *old_assignments.values()}, key=lambda t: (str(type(t)), t)
    )
    make_id = id_factory or _default_id_factory(old_ids)
    if not new_themes:
        return ClusterMatch(mapping={}, retired=list(old_ids))

    overlap, new_size, old_present = _member_counts(
        item_ids, labels, old_assignments, new_themes, old_ids
    )
    union = new_size[:, None] + old_present[None, :] - overlap
    jaccard = np.divide(overlap, union, out=np.zeros_like(overlap), where=union > 0)
    cent_sim = _centroid_similarity(old_centroids, old_ids, new_centroids, new_themes)

    eligible = (jaccard >= min_jaccard) | ((overlap == 0) & (cent_sim >= min_centroid_similarity))
    score = np.where(eligible, jaccard + 0.01 * cent_sim, -1.0)
    rows, cols = linear_sum_assignment(-score)

    mapping: dict[int, ThemeId] = {}
    matched_old: set[int] = set()
    for r, c in zip(rows, cols, strict=True):
        if eligible[r, c]:
            mapping[new_themes[r]] = old_ids[c]
            matched_old.add(int(c))

    new_ids, splits = _fresh_themes(new_themes, old_ids, mapping, matched_old, overlap, make_id)
    merges, retired = _unmatched_old(
        new_themes, old_ids, mapping, matched_old, overlap, old_present
    )
    return ClusterMatch(
        mapping=mapping, new_ids=new_ids, merges=merges, splits=splits, retired=retired
    )


def _member_counts(
    item_ids: Sequence[Hashable],
    labels: np.ndarray,
    old_assignments: Mapping[Hashable, ThemeId],
    new_themes: list[int],
    old_ids: list[ThemeId],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Items shared by each (new label, old theme) pair, each new cluster's size, and each
    old theme's members still present in this run."""
    new_pos = {t: i for i, t in enumerate(new_themes)}
    old_pos = {t: i for i, t in enumerate(old_ids)}
    overlap = np.zeros((len(new_themes), len(old_ids)))
    new_size = np.zeros(len(new_themes))
    old_present = np.zeros(len(old_ids))
    for item, label in zip(item_ids, labels, strict=True):
        old = old_assignments.get(item)
        if old is not None and old in old_pos:
            old_present[old_pos[old]] += 1
        if label < 0:
            continue
        new_size[new_pos[int(label)]] += 1
        if old is not None and old in old_pos:
            overlap[new_pos[int(label)], old_pos[old]] += 1
    return overlap, new_size, old_present


def _centroid_similarity(
    old_centroids: Mapping[ThemeId, np.ndarray],
    old_ids: list[ThemeId],
    new_centroids: np.ndarray,
    new_themes: list[int],
) -> np.ndarray:
    """Cosine between each new label's centre and each old theme's (0 where one is unknown)."""
    cent_sim = np.zeros((len(new_themes), len(old_ids)))
    with_centroid = [j for j, t in enumerate(old_ids) if t in old_centroids]
    if with_centroid and len(new_centroids):
        old_mat = l2_normalise(np.vstack([old_centroids[old_ids[j]] for j in with_centroid]))
        new_mat = l2_normalise(np.asarray(new_centroids)[new_themes])
        cent_sim[:, with_centroid] = new_mat @ old_mat.T
    return cent_sim


def _fresh_themes(
    new_themes: list[int],
    old_ids: list[ThemeId],
    mapping: dict[int, ThemeId],
    matched_old: set[int],
    overlap: np.ndarray,
    make_id: Callable[[], ThemeId],
) -> tuple[list[ThemeId], dict[ThemeId, list[ThemeId]]]:
    """Give each unmatched new label a fresh id (added to `mapping`); one that took most of
    its old members from a theme that lives on is a split of it."""
    new_ids: list[ThemeId] = []
    splits: dict[ThemeId, list[ThemeId]] = {}
    for r, theme in enumerate(new_themes):
        if theme in mapping:
            continue
        fresh = make_id()
        mapping[theme] = fresh
        new_ids.append(fresh)
        from_old = overlap[r]
        if from_old.sum() > 0 and from_old.max() > 0.5 * from_old.sum():
            parent = int(from_old.argmax())
            if parent in matched_old:
                splits.setdefault(old_ids[parent], []).append(fresh)
    return new_ids, splits


def _unmatched_old(
    new_themes: list[int],
    old_ids: list[ThemeId],
    mapping: dict[int, ThemeId],
    matched_old: set[int],
    overlap: np.ndarray,
    old_present: np.ndarray,
) -> tuple[dict[ThemeId, list[ThemeId]], list[ThemeId]]:
    """Unmatched old themes: merged into the theme that took most of their members, or
    retired."""
    merges: dict[ThemeId, list[ThemeId]] = {}
    retired: list[ThemeId] = []
    for c, old_id in enumerate(old_ids):
        if c in matched_old:
            continue
        went_to = overlap[:, c]
        if old_present[c] > 0 and went_to.max() > 0.5 * old_present[c]:
            merges.setdefault(mapping[new_themes[int(went_to.argmax())]], []).append(old_id)
        else:
            retired.append(old_id)
    return merges, retired


def warm_start_labels(
    item_ids: Sequence[Hashable], old_assignments: Mapping[Hashable, ThemeId]
) -> np.ndarray:
    """Initial labels for a re-clustering: old theme ids as 0..m-1, -1 for new items."""
    order: dict[ThemeId, int] = {}
    out = np.full(len(item_ids), -1, dtype=np.int64)
    for i, item in enumerate(item_ids):
        old = old_assignments.get(item)
        if old is not None:
            out[i] = order.setdefault(old, len(order))
    return out


def assign_to_nearest(
    vec: np.ndarray, centroids: Mapping[ThemeId, np.ndarray], threshold: float = 0.5
) -> ThemeId | None:
    """The theme whose centre is most cosine-similar to vec, or None below threshold."""
    if not centroids:
        return None
    ids = list(centroids)
    mat = l2_normalise(np.vstack([np.asarray(centroids[t], dtype=np.float32) for t in ids]))
    v = l2_normalise(np.asarray(vec, dtype=np.float32).reshape(1, -1))[0]
    sims = mat @ v
    best = int(np.argmax(sims))
    return ids[best] if sims[best] >= threshold else None


def kept_fraction(
    old_assignments: Mapping[Hashable, ThemeId],
    new_assignments: Mapping[Hashable, ThemeId | None],
) -> float:
    """Share of previously assigned items (still present) whose theme id is unchanged."""
    present = [item for item in old_assignments if item in new_assignments]
    if not present:
        return 1.0
    same = Counter(new_assignments[item] == old_assignments[item] for item in present)
    return same[True] / len(present)
