import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_score

from clustering.cluster import AutoKMeans, GraphKMeans, compact_labels, cosine_silhouette
from tests.clustering.synthetic import blobs


def test_cosine_silhouette_matches_sklearn() -> None:
    x, y = blobs(n=200, k=4, std=4.0)
    ours = cosine_silhouette(x, y)
    assert ours == pytest.approx(silhouette_score(x, y, metric="cosine"), abs=1e-6)


def test_cosine_silhouette_ignores_unassigned_and_handles_singletons() -> None:
    x, y = blobs(n=60, k=3)
    y = y.copy()
    y[0] = -1
    assert cosine_silhouette(x, y) == pytest.approx(
        silhouette_score(x[1:], y[1:], metric="cosine"), abs=1e-6
    )
    assert cosine_silhouette(x, np.zeros(len(x), dtype=int)) == -1.0


@pytest.mark.parametrize("k", [3, 8, 15])
def test_auto_kmeans_finds_the_number_of_blobs(k: int) -> None:
    x, y = blobs(n=60 * k, k=k, dim=32)
    model = AutoKMeans(random_state=0).fit(x)
    assert model.n_clusters_ == k
    assert adjusted_rand_score(y, model.labels_) > 0.95


def test_graph_kmeans_recovers_blobs() -> None:
    x, y = blobs(n=800, k=10, dim=32, std=2.0)
    model = GraphKMeans().fit(x)
    assert 8 <= model.n_clusters_ <= 12
    assert adjusted_rand_score(y, model.labels_) > 0.9


def test_auto_kmeans_on_tiny_and_degenerate_input() -> None:
    x, _ = blobs(n=10, k=2)
    assert AutoKMeans().fit(x).n_clusters_ in (2, 3)
    same = np.tile(x[:1], (12, 1))
    model = AutoKMeans().fit(same)
    assert model.n_clusters_ == 1
    assert set(model.labels_.tolist()) == {0}


def test_warm_start_keeps_old_k_and_members() -> None:
    x, _ = blobs(n=400, k=6)
    first = AutoKMeans().fit(x)
    again = AutoKMeans(random_state=7).fit(x, init_labels=first.labels_)
    assert again.kept_seeds_
    assert adjusted_rand_score(first.labels_, again.labels_) > 0.99


def test_compact_labels() -> None:
    assert compact_labels(np.array([5, -1, 2, 5])).tolist() == [1, -1, 0, 1]
