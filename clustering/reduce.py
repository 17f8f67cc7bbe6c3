"""Dimension-reduction steps: PCA, k-nearest-neighbour smoothing, a chain, and a no-op."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from scipy import sparse

from clustering.embedding import l2_normalise


@runtime_checkable
class Reducer(Protocol):
    """A step that maps embeddings (n, d) to a space the clusterer works in (n, d')."""

    def fit_transform(self, embeddings: np.ndarray) -> np.ndarray:
        """Fit on the given rows and return their reduced form."""
        ...


class NoReduction:
    """The do-nothing reducer: cluster the embeddings as they are."""

    def fit_transform(self, embeddings: np.ndarray) -> np.ndarray:
        """Return the embeddings unchanged (as float32)."""
        return np.asarray(embeddings, dtype=np.float32)


class PCAReducer:
    """Project onto the top principal components, then L2-normalise the rows.

    Sentence embeddings carry many low-variance directions that add noise to cosine
    similarity; keeping ~64 components sharpens the themes and makes k-means cheaper.
    """

    def __init__(self, n_components: int = 64, random_state: int = 0) -> None:
        self.n_components = n_components
        self.random_state = random_state

    def fit_transform(self, embeddings: np.ndarray) -> np.ndarray:
        """Fit PCA (components capped by the number of rows) and return normalised scores."""
        from sklearn.decomposition import PCA

        x = np.asarray(embeddings, dtype=np.float32)
        n_comp = min(self.n_components, x.shape[0] - 1, x.shape[1])
        if n_comp < 2:
            return l2_normalise(x)
        pca = PCA(n_components=n_comp, random_state=self.random_state)
        return l2_normalise(pca.fit_transform(x))


def knn_indices(vectors: np.ndarray, k: int, block: int = 256) -> np.ndarray:
    """Indices of each row's k most cosine-similar other rows (rows must be normalised).

    Exact search in blocks: time grows with n² but memory only with block × n (one buffer,
    reused: a fresh block each time kept two alive at once, 400 MiB at 50k rows).
    """
    import torch

    n = vectors.shape[0]
    k = min(k, n - 1)
    out = np.empty((n, k), dtype=np.int64)
    if k <= 0:
        return out
    data = torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float32))
    buffer = torch.empty((min(block, n), n), dtype=torch.float32)
    with torch.inference_mode():
        for start in range(0, n, block):
            stop = min(start + block, n)
            sims = torch.mm(data[start:stop], data.T, out=buffer[: stop - start])
            rows = torch.arange(stop - start)
            sims[rows, rows + start] = -np.inf  # a row is not its own neighbour
            out[start:stop] = sims.topk(k, dim=1).indices.numpy()
    return out


def knn_graph(vectors: np.ndarray, n_neighbors: int) -> sparse.csr_matrix:
    """Symmetric 0/1 adjacency of the k-nearest-neighbour graph of normalised rows."""
    n = vectors.shape[0]
    idx = knn_indices(vectors, n_neighbors)
    k = idx.shape[1]
    adj = sparse.csr_matrix(
        (np.ones(n * k, dtype=np.float32), (np.repeat(np.arange(n), k), idx.ravel())),
        shape=(n, n),
    )
    adj = (adj + adj.T).tocsr()
    adj.data[:] = 1.0  # mutual neighbours count once
    return adj


def smooth_on_graph(
    vectors: np.ndarray, adjacency: sparse.csr_matrix, steps: int = 2, alpha: float = 0.5
) -> np.ndarray:
    """Move each row towards the mean of its graph neighbours ``steps`` times; normalise."""
    degree = np.maximum(np.asarray(adjacency.sum(axis=1)).ravel(), 1.0)
    walk = sparse.diags((1.0 / degree).astype(np.float32)) @ adjacency
    out = np.asarray(vectors, dtype=np.float32)
    for _ in range(steps):
        out = (1.0 - alpha) * out + alpha * np.asarray(walk @ out, dtype=np.float32)
    return l2_normalise(out)


class GraphSmoother:
    """Average each row with its nearest neighbours (a low-pass filter on the k-NN graph).

    Short texts are noisy points; pulling each towards its neighbourhood before k-means
    lets clusters follow the data's shape instead of plain Voronoi cells.
    """

    def __init__(self, n_neighbors: int = 10, steps: int = 2, alpha: float = 0.5) -> None:
        self.n_neighbors = n_neighbors
        self.steps = steps
        self.alpha = alpha

    def fit_transform(self, embeddings: np.ndarray) -> np.ndarray:
        """Return rows smoothed over the symmetric k-NN graph, L2-normalised."""
        x = l2_normalise(embeddings)
        if x.shape[0] < 3 or self.steps <= 0 or self.n_neighbors <= 0:
            return x
        return smooth_on_graph(x, knn_graph(x, self.n_neighbors), self.steps, self.alpha)


class ReducerChain:
    """Apply several reducers one after the other."""

    def __init__(self, steps: Sequence[Reducer]) -> None:
        self.steps = list(steps)

    def fit_transform(self, embeddings: np.ndarray) -> np.ndarray:
        """Feed the output of each step into the next."""
        out = np.asarray(embeddings, dtype=np.float32)
        for step in self.steps:
            out = step.fit_transform(out)
        return out
