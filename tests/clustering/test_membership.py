import numpy as np
import pytest

from clustering.assign import join_labels
from clustering.embedding import l2_normalise
from clustering.membership import ThresholdAssigner, leave_one_out_similarity, theme_thresholds
from clustering.pipeline import ThemePipeline
from tests.clustering.synthetic import blobs


def _topic(rng: np.random.Generator, direction: int, n: int, dim: int = 32) -> np.ndarray:
    centre = np.eye(dim, dtype=np.float32)[direction] * 3
    return l2_normalise(centre + rng.normal(0, 0.35, (n, dim)).astype(np.float32))


def _one_off(direction: int, dim: int = 32) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float32)
    v[direction] = 1.0
    return v


def test_leave_one_out_similarity_excludes_the_item_itself() -> None:
    x = l2_normalise(np.array([[1, 0], [1, 0.1], [0, 1]], dtype=np.float32))
    loo = leave_one_out_similarity(x, np.array([0, 0, -1]), 1)
    assert loo[0] == pytest.approx(float(x[0] @ x[1]), abs=1e-6)
    assert np.isnan(loo[2])


def test_thresholds_lie_between_chance_and_the_members() -> None:
    x, y = blobs(n=300, k=5, std=2.0)
    thresholds = theme_thresholds(x, y)
    loo = leave_one_out_similarity(x, y, 5)
    assert thresholds.shape == (5,)
    for t in range(5):
        members = loo[y == t]
        assert thresholds[t] < np.median(members)
        assert np.mean(members >= thresholds[t]) >= 0.9


def test_one_offs_stay_unassigned_and_topic_rows_stay_in() -> None:
    rng = np.random.default_rng(0)
    x = np.vstack(
        [_topic(rng, 0, 6), _topic(rng, 1, 6), _topic(rng, 2, 6), _one_off(10), _one_off(11)]
    )
    texts = [f"report {i}" for i in range(len(x))]
    result = ThemePipeline().fit(texts, x)
    assert result.n_themes == 3
    assert (result.labels[18:] == -1).all()
    assert (result.labels[:18] >= 0).all()
    assert result.n_one_offs == 2
    assert len(set(result.labels[:6].tolist())) == 1


def test_join_labels_is_the_rule_the_engine_used() -> None:
    rng = np.random.default_rng(1)
    x = np.vstack([_topic(rng, d, 30) for d in range(4)] + [_one_off(20), _one_off(21)])
    result = ThemePipeline().fit([f"r{i}" for i in range(len(x))], x)
    assert result.thresholds.shape == (result.n_themes,)
    joined = join_labels(x, result.centroids, result.thresholds)
    # every unassigned report would also be refused today, every member accepted
    assert (joined[result.labels < 0] == -1).all()
    assert np.mean(joined[result.labels >= 0] == result.labels[result.labels >= 0]) >= 0.98
    assert np.array_equal(result.join(x), joined)
    # a new report near topic 2 joins that theme; one in an empty direction joins none
    new = np.vstack([_topic(rng, 2, 1), _one_off(25)])
    labels = join_labels(new, result.centroids, result.thresholds)
    assert labels[0] == result.labels[60] and labels[1] == -1


def test_join_labels_edge_cases() -> None:
    assert join_labels(np.ones((2, 3)), np.zeros((0, 3)), np.zeros(0)).tolist() == [-1, -1]
    with pytest.raises(ValueError, match="thresholds"):
        join_labels(np.ones((1, 3)), np.ones((2, 3)), np.zeros(1))
    assert join_labels(np.array([1.0, 0.0]), np.array([[1.0, 0.0]]), np.array([0.5])).tolist() == [
        0
    ]


def test_padding_cannot_lift_a_two_person_topic_over_the_reporter_rule() -> None:
    rng = np.random.default_rng(2)
    # three big topics from many people, a tight two-person topic (2 reports each) and
    # three unrelated one-offs from other people, one of them leaning towards the pair
    topics = [_topic(rng, d, 12) for d in range(3)]
    pair = _topic(rng, 5, 4)
    lean = l2_normalise((_one_off(5) * 0.2 + _one_off(9))[None, :])
    x = np.vstack([*topics, pair, lean, _one_off(12)[None, :], _one_off(13)[None, :]])
    reporters = [f"u{i}" for i in range(36)] + ["k1", "k1", "k2", "k2", "o1", "o2", "o3"]
    result = ThemePipeline().fit([f"r{i}" for i in range(len(x))], x, reporter_ids=reporters)
    pair_labels = set(result.labels[36:40].tolist()) - {-1}
    for label in pair_labels:
        members = np.flatnonzero(result.labels == label)
        assert len({reporters[i] for i in members}) <= 2
    assert (result.labels[40:] == -1).all()


def test_assigner_dissolves_tiny_themes_and_keeps_order_by_size() -> None:
    x, y = blobs(n=100, k=3, std=1.0)
    y = y.copy()
    y[:2] = 7  # a theme of two
    labels = ThresholdAssigner().assign(x, y)
    sizes = np.bincount(labels[labels >= 0])
    assert (sizes >= 3).all()
    assert list(sizes) == sorted(sizes, reverse=True)
