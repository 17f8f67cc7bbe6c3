import numpy as np

from clustering.reduce import (
    GraphSmoother,
    NoReduction,
    PCAReducer,
    ReducerChain,
    knn_indices,
)
from tests.clustering.synthetic import blobs


def test_pca_reducer_caps_components_and_normalises() -> None:
    x, _ = blobs(n=40, dim=32)
    out = PCAReducer(64).fit_transform(x)
    assert out.shape == (40, 32)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
    assert PCAReducer(8).fit_transform(x).shape == (40, 8)


def test_no_reduction_returns_input() -> None:
    x, _ = blobs(n=20)
    np.testing.assert_array_equal(NoReduction().fit_transform(x), x)


def test_knn_finds_nearest_other_rows() -> None:
    x = np.array([[1, 0], [0.99, 0.14], [0, 1], [0.14, 0.99]], dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    idx = knn_indices(x, 1)
    assert idx[:, 0].tolist() == [1, 0, 3, 2]


def test_blocked_knn_matches_the_whole_similarity_matrix() -> None:
    # 7-row blocks over 50 rows: the last, partial block reuses the same buffer
    x, _ = blobs(n=50, k=4, dim=8)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    expected = np.argsort(-sims, axis=1, kind="stable")[:, :3]

    found = knn_indices(x, 3, block=7)

    assert [set(row) for row in found.tolist()] == [set(row) for row in expected.tolist()]


def test_smoothing_pulls_points_towards_their_blob() -> None:
    x, y = blobs(n=300, k=3, std=3.0)
    out = ReducerChain([PCAReducer(16), GraphSmoother(10, 2)]).fit_transform(x)
    z = PCAReducer(16).fit_transform(x)

    def spread(v: np.ndarray) -> float:
        return float(np.mean([1 - (v[y == c] @ v[y == c].mean(0)).mean() for c in range(3)]))

    assert spread(out) < spread(z)
