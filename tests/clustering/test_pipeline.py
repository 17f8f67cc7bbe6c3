import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from clustering.assign import KeepLabels, NearestCentroidAssigner
from clustering.cluster import AutoKMeans
from clustering.pipeline import ThemePipeline
from clustering.reduce import NoReduction
from tests.clustering.synthetic import HashingEmbedder, blobs


def _texts(labels: np.ndarray) -> list[str]:
    return [f"topic{c} report {i}" for i, c in enumerate(labels)]


def test_finds_about_the_right_number_of_themes_on_blobs() -> None:
    x, y = blobs(n=900, k=9, dim=48, std=2.0)
    result = ThemePipeline().fit(_texts(y), x)
    assert 7 <= result.n_themes <= 11
    assert adjusted_rand_score(y, result.labels) > 0.9
    assert result.n_unassigned <= 0.1 * len(y)
    assert result.centroids.shape == (result.n_themes, 48)
    sizes = [t.size for t in result.themes]
    assert sizes == sorted(sizes, reverse=True)  # theme 0 is the largest
    assert sum(sizes) + result.n_unassigned == len(y)
    assert result.k_scores  # the k search is visible


def test_non_answers_stay_out_of_themes() -> None:
    x, y = blobs(n=200, k=4)
    texts = _texts(y)
    for i in (0, 10, 20, 30):
        texts[i] = ["n/a", "nothing", "-", "  "][i // 10]
    result = ThemePipeline().fit(texts, x)
    assert result.non_answer[[0, 10, 20, 30]].all()
    assert (result.labels[[0, 10, 20, 30]] == -1).all()
    assert (result.duplicate_groups[[0, 10, 20, 30]] == -1).all()
    assert result.non_answer.sum() == 4


def test_fewer_than_min_items_says_not_enough_data() -> None:
    x, y = blobs(n=12, k=2)
    texts = _texts(y)
    texts[:4] = ["n/a"] * 4  # 8 usable answers
    result = ThemePipeline(min_items=10).fit(texts, x)
    assert not result.enough_data
    assert result.n_themes == 0
    assert (result.labels == -1).all()
    assert "Not enough reports yet" in result.message and "8" in result.message


def test_ten_items_are_enough_and_do_not_crash() -> None:
    x, y = blobs(n=10, k=2, std=0.5)
    result = ThemePipeline().fit(_texts(y), x)
    assert result.enough_data
    assert 1 <= result.n_themes <= 3
    assert (result.labels >= 0).sum() >= 9


def test_near_duplicates_share_a_group_and_quotes_avoid_them() -> None:
    x, y = blobs(n=120, k=3, std=4.0)
    texts = _texts(y)
    members = np.flatnonzero(y == y[0])[:5]
    for i in members:  # five people said the same thing
        texts[i] = "The VPN drops every hour!"
        x[i] = x[members[0]]
    result = ThemePipeline().fit(texts, x)
    assert len(set(result.duplicate_groups[members].tolist())) == 1
    theme = result.themes[result.labels[members[0]]]
    quoted = [q.text for q in theme.quotes]
    assert quoted.count("The VPN drops every hour!") <= 1
    assert theme.n_distinct == theme.size - 4


def test_steps_are_swappable_and_embedder_is_used_when_no_vectors() -> None:
    texts = [f"printer jam {i}" for i in range(15)] + [f"vpn drop {i}" for i in range(15)]
    pipe = ThemePipeline(
        embedder=HashingEmbedder(),
        reducer=NoReduction(),
        clusterer=AutoKMeans(),
        assigner=KeepLabels(),
    )
    result = pipe.fit(texts)
    assert result.n_themes == 2
    assert len(set(result.labels[:15].tolist())) == 1
    assert result.labels[0] != result.labels[-1]


def test_poor_fits_are_unassigned_but_capped() -> None:
    x, y = blobs(n=200, k=4, std=0.3)
    rng = np.random.default_rng(1)
    x = x.copy()
    x[:30] = rng.normal(size=(30, x.shape[1]))  # 15% random points
    x[:30] /= np.linalg.norm(x[:30], axis=1, keepdims=True)
    labels = NearestCentroidAssigner(min_similarity=0.5, max_unassigned=0.05).assign(x, y)
    assert (labels == -1).sum() == 10  # capped at 5% of 200


def test_length_mismatch_is_rejected() -> None:
    x, y = blobs(n=20, k=2)
    with pytest.raises(ValueError, match="embeddings"):
        ThemePipeline().fit(_texts(y)[:10], x)


def test_min_reporters_reaches_the_default_representation() -> None:
    pipe = ThemePipeline(min_reporters=5)
    assert getattr(pipe.representation, "min_reporters", None) == 5
    x, y = blobs(n=60, k=2, std=0.5)
    result = pipe.fit(_texts(y), x, reporter_ids=[f"u{i % 4}" for i in range(60)])
    # four people in all: no word reaches five of them, so nothing identifying is shown
    assert all(t.keywords == [] for t in result.themes)
    assert result.thresholds.shape == (result.n_themes,)
