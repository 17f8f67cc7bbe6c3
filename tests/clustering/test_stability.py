import numpy as np

from clustering.pipeline import ThemePipeline
from clustering.stability import (
    assign_to_nearest,
    kept_fraction,
    match_clusters,
    warm_start_labels,
)
from tests.clustering.synthetic import blobs


def test_at_least_95_percent_keep_their_theme_after_adding_10_percent() -> None:
    x, y = blobs(n=1100, k=12, dim=32, std=2.5, seed=3)
    texts = [f"item {i}" for i in range(len(y))]
    rng = np.random.default_rng(0)
    old_idx = np.sort(rng.permutation(len(y))[:1000])
    first = ThemePipeline().fit([texts[i] for i in old_idx], x[old_idx])
    # theme ids as a database would hold them
    old_assign = {
        int(i): 100 + int(t) for i, t in zip(old_idx, first.labels, strict=True) if t >= 0
    }
    old_cent = {100 + t: first.centroids[t] for t in range(first.n_themes)}
    ids = list(range(len(y)))
    second = ThemePipeline().fit(texts, x, init_labels=warm_start_labels(ids, old_assign))
    match = match_clusters(old_assign, old_cent, second.labels, ids, second.centroids)
    new_assign = {i: match.mapping.get(int(t)) for i, t in zip(ids, second.labels, strict=True)}
    assert kept_fraction(old_assign, new_assign) >= 0.95
    assert set(match.mapping.values()) <= set(old_cent) | set(match.new_ids)


def test_match_keeps_ids_and_records_splits_merges_and_new_themes() -> None:
    items = list(range(12))
    old = {i: "A" if i < 4 else "B" if i < 8 else "C" for i in items}
    old_cent = {t: np.eye(3)[j] for j, t in enumerate("ABC")}
    # new run: A unchanged, B split in two, C merged into ... nothing else: C vanishes
    new_labels = np.array([0, 0, 0, 0, 1, 1, 2, 2, 1, 1, 1, 1])
    cents = np.array([[1, 0, 0], [0, 1, 0.2], [0, 0.9, 0.1]], dtype=float)
    m = match_clusters(old, old_cent, new_labels, items, cents, id_factory=iter(["D"]).__next__)
    assert m.mapping[0] == "A"
    # label 1 holds 2 of B and all of C: Jaccard with C (4/6) beats B (2/8)
    assert m.mapping[1] == "C"
    assert m.mapping[2] == "B"
    assert m.merges == {"C": ["B"]} or m.merges == {}
    assert not m.new_ids


def test_split_and_new_theme() -> None:
    items = list(range(10))
    old = dict.fromkeys(range(8), 1)
    new_labels = np.array([0, 0, 0, 0, 0, 1, 1, 1, 2, 2])
    cents = np.eye(3)
    m = match_clusters(old, {1: np.array([1.0, 0, 0])}, new_labels, items, cents)
    assert m.mapping[0] == 1
    assert m.mapping[1] == 2 and m.mapping[2] == 3  # fresh integer ids after the old ones
    assert m.splits == {1: [2]}
    assert m.new_ids == [2, 3]


def test_merge_is_recorded() -> None:
    items = list(range(8))
    old = {i: ("A" if i < 5 else "B") for i in items}
    m = match_clusters(old, {}, np.zeros(8, dtype=int), items, np.eye(1), id_factory=lambda: "N")
    assert m.mapping == {0: "A"}
    assert m.merges == {"A": ["B"]}
    assert m.retired == []


def test_centroid_match_when_no_members_overlap() -> None:
    m = match_clusters(
        {}, {"old": np.array([1.0, 0.0])}, [0, 0], ["x", "y"], np.array([[0.99, 0.05]])
    )
    assert m.mapping == {0: "old"}


def test_assign_to_nearest() -> None:
    cents = {"vpn": np.array([1.0, 0.0]), "expenses": np.array([0.0, 1.0])}
    assert assign_to_nearest(np.array([0.9, 0.1]), cents, threshold=0.5) == "vpn"
    assert assign_to_nearest(np.array([0.7, 0.7]), cents, threshold=0.8) is None
    assert assign_to_nearest(np.array([1.0, 0.0]), {}, threshold=0.0) is None


def test_warm_start_labels() -> None:
    labels = warm_start_labels(["a", "b", "c", "d"], {"a": 7, "b": 3, "d": 7})
    assert labels.tolist() == [0, 1, -1, 0]
