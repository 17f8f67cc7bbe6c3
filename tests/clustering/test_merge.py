import numpy as np

from clustering.embedding import l2_normalise
from clustering.membership import ThresholdAssigner
from clustering.merge import looks_like_one_group, merge_split_themes


# Sentence embeddings of a few reports vary along few directions; in many isotropic
# dimensions any cut of six rows looks like two groups, and the test merges less.
def _topic(rng: np.random.Generator, direction: int, n: int, dim: int = 8) -> np.ndarray:
    centre = np.eye(dim, dtype=np.float32)[direction] * 3
    return l2_normalise(centre + rng.normal(0, 0.35, (n, dim)).astype(np.float32))


def _halves(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One topic cut into equal halves along its widest direction, as k-means would cut it."""
    centred = rows - rows.mean(axis=0)
    axis = np.linalg.svd(centred, full_matrices=False)[2][0]
    order = np.argsort(centred @ axis)
    half = len(rows) // 2
    return rows[order[:half]], rows[order[half:]]


def test_two_halves_of_one_topic_look_like_one_group() -> None:
    merged = [
        looks_like_one_group(*_halves(_topic(np.random.default_rng(seed), 0, 6)))
        for seed in range(20)
    ]
    assert np.mean(merged) >= 0.8


def test_two_topics_of_six_rows_each_stay_two() -> None:
    kept_apart = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        kept_apart.append(not looks_like_one_group(_topic(rng, 0, 6), _topic(rng, 1, 6)))
    assert np.mean(kept_apart) >= 0.95


def test_a_pair_too_small_to_show_two_groups_is_one() -> None:
    rng = np.random.default_rng(0)
    assert looks_like_one_group(_topic(rng, 0, 2), _topic(rng, 1, 2))


def test_two_themes_of_the_same_repeated_report_are_one_group() -> None:
    row = _topic(np.random.default_rng(0), 0, 1)
    assert looks_like_one_group(np.repeat(row, 3, axis=0), np.repeat(row, 4, axis=0))


def test_a_split_topic_is_merged_and_the_other_themes_stay() -> None:
    rng = np.random.default_rng(3)
    first, second = _halves(_topic(rng, 0, 6))
    x = np.vstack([first, second, _topic(rng, 1, 6), _topic(rng, 2, 6)])
    labels = np.repeat([0, 1, 2, 3], [len(first), len(second), 6, 6])
    labels = np.append(labels, -1)
    x = np.vstack([x, _topic(rng, 5, 1)])

    merged = merge_split_themes(x, labels)

    assert merged.max() + 1 == 3
    assert len(set(merged[: len(first) + len(second)].tolist())) == 1
    assert merged[-1] == -1


def test_the_assigner_merges_a_split_topic_unless_told_not_to() -> None:
    rng = np.random.default_rng(3)
    first, second = _halves(_topic(rng, 0, 6))
    x = np.vstack([first, second, _topic(rng, 1, 6), _topic(rng, 2, 6)])
    labels = np.repeat([0, 1, 2, 3], [len(first), len(second), 6, 6])

    assert ThresholdAssigner().assign(x, labels).max() + 1 == 3
    assert ThresholdAssigner(merge_significance=None).assign(x, labels).max() + 1 == 4
