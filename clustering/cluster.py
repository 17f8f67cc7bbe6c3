"""Clustering steps: k-means that picks its own number of themes by silhouette."""

from __future__ import annotations

import warnings
from typing import Any, Protocol, runtime_checkable

import numpy as np

from clustering.embedding import l2_normalise

# Rows per block when scoring against all centroids: bounds memory to block × k.
_BLOCK = 4096


@runtime_checkable
class Clusterer(Protocol):
    """scikit-learn's clustering protocol: ``fit(X)`` then read ``labels_`` (-1 = noise)."""

    labels_: Any

    def fit(self, x: np.ndarray, /) -> Any:
        """Cluster the rows of x."""
        ...


def compact_labels(labels: np.ndarray) -> np.ndarray:
    """Renumber non-negative labels to 0..k-1 (keeping their order); -1 stays -1."""
    labels = np.asarray(labels, dtype=np.int64)
    out = np.full(labels.shape, -1, dtype=np.int64)
    keep = labels >= 0
    if keep.any():
        _, out[keep] = np.unique(labels[keep], return_inverse=True)
    return out


def label_sums(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Sum of the rows of x per label 0..k-1; rows labelled -1 or >= k are skipped.

    A sparse indicator product: ``np.add.at`` is unbuffered and about 50x slower on
    tens of thousands of rows. Float32 rows stay float32, so no copy of x is made.
    """
    from scipy import sparse

    labels = np.asarray(labels, dtype=np.int64)
    rows = np.asarray(x)
    if rows.dtype not in (np.float32, np.float64):
        rows = rows.astype(np.float64)
    keep = np.flatnonzero((labels >= 0) & (labels < k))
    indicator = sparse.csr_matrix(
        (np.ones(len(keep), dtype=rows.dtype), (labels[keep], keep)), shape=(k, rows.shape[0])
    )
    return np.asarray(indicator @ rows)


def nearest_centroid(x: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the index of the most cosine-similar centroid and that similarity."""
    n = x.shape[0]
    best = np.zeros(n, dtype=np.int64)
    sim = np.zeros(n, dtype=np.float32)
    if n == 0 or len(centroids) == 0:
        return best, sim
    cents = l2_normalise(centroids)
    for start in range(0, n, _BLOCK):
        block = x[start : start + _BLOCK] @ cents.T
        best[start : start + _BLOCK] = block.argmax(axis=1)
        sim[start : start + _BLOCK] = block.max(axis=1)
    return best, sim


def cosine_silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (cosine distance) of L2-normalised rows; rows labelled -1 are ignored.

    Uses per-cluster sums, so it costs O(n·k·d) time and O(k·d) memory instead of the
    O(n²) pairwise matrix that ``sklearn.metrics.silhouette_score`` builds.
    """
    keep = labels >= 0
    x = x[keep]
    _, inv = np.unique(labels[keep], return_inverse=True)
    k = int(inv.max()) + 1 if inv.size else 0
    if k < 2 or k >= x.shape[0]:
        return -1.0
    sums = label_sums(x, inv, k)
    counts = np.bincount(inv, minlength=k).astype(np.float64)
    total = 0.0
    for start in range(0, x.shape[0], _BLOCK):
        rows = slice(start, start + _BLOCK)
        own = inv[rows]
        # sum over members j of (1 - x_i·x_j) = n_c - x_i·sum_c (x_i itself adds 0)
        dist_sums = counts[None, :] - x[rows].astype(np.float64) @ sums.T
        idx = np.arange(len(own))
        own_n = counts[own]
        a = np.where(own_n > 1, dist_sums[idx, own] / np.maximum(own_n - 1, 1), 0.0)
        mean_other = dist_sums / counts[None, :]
        mean_other[idx, own] = np.inf
        b = mean_other.min(axis=1)
        denom = np.maximum(np.maximum(a, b), 1e-12)
        s = np.where(own_n > 1, (b - a) / denom, 0.0)  # singletons score 0, as in sklearn
        total += float(s.sum())
    return float(total / x.shape[0])


def _kmeans(x: np.ndarray, k: int, init: np.ndarray | None, seed: int, max_iter: int) -> np.ndarray:
    """Run k-means and return L2-normalised centres (spherical k-means on unit rows)."""
    from sklearn.cluster import KMeans

    with warnings.catch_warnings():
        # Duplicate rows can leave fewer distinct clusters than k; empty ones are dropped later.
        warnings.simplefilter("ignore")
        model = KMeans(
            n_clusters=k,
            init="k-means++" if init is None else init,
            n_init=1,
            max_iter=max_iter,
            random_state=seed,
        ).fit(x)
    return l2_normalise(model.cluster_centers_)


def _farthest_first(x: np.ndarray, seeds: np.ndarray, extra: int) -> np.ndarray:
    """Pick ``extra`` rows of x that are far from the seeds and from each other."""
    _, best_sim = nearest_centroid(x, seeds) if len(seeds) else (None, np.full(len(x), -1.0))
    chosen: list[np.ndarray] = []
    for _ in range(extra):
        i = int(np.argmin(best_sim))
        chosen.append(x[i])
        best_sim = np.maximum(best_sim, x @ x[i])
    return np.vstack([seeds, *chosen]) if len(seeds) else np.vstack(chosen)


class AutoKMeans:
    """Spherical k-means that chooses k itself by the cosine silhouette on a sample.

    k is searched on a geometric grid from ``min_k`` to ``max_k`` (capped so themes
    average at least ``min_mean_size`` items), then refined around the best grid point.
    Among scores within a relative tolerance of the best, the smallest k wins; the
    tolerance is ``tie_tolerance`` or ``noise_tolerance / sqrt(rows scored)``, whichever
    is larger, because a silhouette measured on a few dozen rows is that noisy: on small
    sets an extra split of one topic into two halves otherwise wins by chance.
    The search works on at most ``sample_size`` rows with short k-means runs
    (``search_max_iter``), so its cost does not grow with n; the final fit runs on all
    rows from the chosen sample centres.

    ``fit(x, init_labels=...)`` warm-starts from a previous assignment (-1 = new item):
    the old themes seed the centres and their k is kept unless another k scores more
    than ``stickiness`` better, so re-clustering after new reports moves few items.
    """

    def __init__(
        self,
        min_k: int = 2,
        max_k: int = 300,
        min_mean_size: int = 3,
        sample_size: int = 5000,
        grid_ratio: float = 1.15,
        tie_tolerance: float = 0.01,
        noise_tolerance: float = 0.2,
        stickiness: float = 0.02,
        max_iter: int = 100,
        search_max_iter: int = 30,
        random_state: int = 0,
    ) -> None:
        self.min_k = min_k
        self.search_max_iter = search_max_iter
        self.max_k = max_k
        self.min_mean_size = min_mean_size
        self.sample_size = sample_size
        self.grid_ratio = grid_ratio
        self.tie_tolerance = tie_tolerance
        self.noise_tolerance = noise_tolerance
        self.stickiness = stickiness
        self.max_iter = max_iter
        self.random_state = random_state
        self.labels_: np.ndarray = np.zeros(0, dtype=np.int64)
        self.cluster_centers_: np.ndarray = np.zeros((0, 0), dtype=np.float32)
        self.n_clusters_: int = 0
        self.scores_: dict[int, float] = {}
        self.kept_seeds_: bool = False

    def _candidates(self, k_hi: int) -> list[int]:
        ks: list[int] = []
        k = float(max(self.min_k, 2))
        while round(k) <= k_hi:
            if not ks or round(k) != ks[-1]:
                ks.append(round(k))
            k *= self.grid_ratio
        if ks and ks[-1] != k_hi:
            ks.append(k_hi)
        return ks

    def fit(self, x: np.ndarray, init_labels: np.ndarray | None = None) -> AutoKMeans:
        """Cluster the rows of x (normalised internally); set labels_, cluster_centers_."""
        # Kept as one method: the k search, the warm start and the final fit share the
        # sample and the seeds, and splitting them would pass half a dozen arrays around.
        x = l2_normalise(x)
        n = x.shape[0]
        rng = np.random.default_rng(self.random_state)
        sample = x if n <= self.sample_size else x[rng.choice(n, self.sample_size, replace=False)]
        # Score k on distinct rows only: repeated answers would otherwise make tiny
        # "clusters" of copies look perfect and push k up to the number of distinct texts.
        _, first = np.unique(np.round(sample, 5), axis=0, return_index=True)
        sample = sample[np.sort(first)]
        k_hi = min(self.max_k, n // max(self.min_mean_size, 1), len(sample))
        seeds, seed_sizes = _seeds(x, init_labels)
        self.scores_ = {}
        self.kept_seeds_ = False
        if k_hi < 2:
            self._finish(x, np.mean(x, axis=0, keepdims=True))
            return self

        def score(k: int, init: np.ndarray | None) -> tuple[float, np.ndarray]:
            cents = _kmeans(sample, k, init, self.random_state, self.search_max_iter)
            labels, _ = nearest_centroid(sample, cents)
            return cosine_silhouette(sample, labels), cents

        grid = self._candidates(k_hi)
        found: dict[int, np.ndarray] = {}
        for k in grid:
            self.scores_[k], found[k] = score(k, None)
        best = max(self.scores_, key=self.scores_.__getitem__)
        pos = grid.index(best)
        lo = grid[pos - 1] if pos > 0 else best
        hi = grid[pos + 1] if pos + 1 < len(grid) else best
        for k in np.unique(np.linspace(lo, hi, 6).round().astype(int)):
            if int(k) not in self.scores_:
                self.scores_[int(k)], found[int(k)] = score(int(k), None)
        # Near-ties on the silhouette are noise; prefer the fewer, broader themes.
        top = max(self.scores_.values())
        tol = max(self.tie_tolerance, self.noise_tolerance / np.sqrt(len(sample)))
        best = min(k for k, v in self.scores_.items() if v >= top - tol * abs(top))

        if len(seeds) >= 2:
            k_old = len(seeds)
            kept_score, _ = score(k_old, seeds) if k_old <= k_hi else (-1.0, seeds)
            if kept_score >= self.scores_[best] - self.stickiness:
                best = k_old
                self.kept_seeds_ = True
            if best <= k_old:
                # keep the largest old themes as seeds; dropped ones are re-absorbed
                init = seeds[np.sort(np.argsort(-seed_sizes, kind="stable")[:best])]
            else:
                init = _farthest_first(x, seeds, best - k_old)
            self._finish(x, _kmeans(x, best, init, self.random_state, self.max_iter))
            return self
        self._finish(x, _kmeans(x, best, found[best], self.random_state, self.max_iter))
        return self

    def _finish(self, x: np.ndarray, centres: np.ndarray) -> None:
        labels, _ = nearest_centroid(x, centres)
        used = np.unique(labels)
        self.labels_ = compact_labels(labels)
        self.cluster_centers_ = l2_normalise(centres[used])
        self.n_clusters_ = len(used)


def _seeds(x: np.ndarray, init_labels: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The previous run's theme centres (normalised) and sizes; none without `init_labels`."""
    seeds = np.zeros((0, x.shape[1]), dtype=np.float32)
    seed_sizes = np.zeros(0, dtype=np.int64)
    if init_labels is not None:
        init = compact_labels(np.asarray(init_labels))
        if len(init) != len(x):
            raise ValueError(f"init_labels has {len(init)} entries for {len(x)} rows")
        m = int(init.max()) + 1 if (init >= 0).any() else 0
        if m:
            seeds = l2_normalise(label_sums(x, init, m))
            seed_sizes = np.bincount(init[init >= 0], minlength=m)
    return seeds, seed_sizes


def spectral_labels(adjacency: Any, k: int, random_state: int = 0) -> np.ndarray:
    """Normalised spectral clustering (Ng-Jordan-Weiss) of a graph into k groups.

    Takes the top-k eigenvectors of D^-1/2 A D^-1/2, normalises each row and runs
    k-means on them. ARPACK's "largest algebraic" mode needs only sparse products,
    so cost grows roughly with n·k² rather than n².
    """
    from scipy import sparse
    from scipy.sparse.linalg import eigsh

    n = adjacency.shape[0]
    degree = np.maximum(np.asarray(adjacency.sum(axis=1)).ravel(), 1e-12)
    scale = sparse.diags(1.0 / np.sqrt(degree))
    norm_adj = (scale @ adjacency @ scale).astype(np.float64)
    if n <= 1000 or k >= n // 2:
        values, vectors = np.linalg.eigh(norm_adj.toarray())
        vectors = vectors[:, np.argsort(values)[::-1][:k]]
    else:
        v0 = np.random.default_rng(random_state).uniform(0.5, 1.0, n)
        _, vectors = eigsh(norm_adj, k=k, which="LA", tol=1e-4, v0=v0)
    return _kmeans_labels(l2_normalise(vectors), k, random_state)


def graph_vote(adjacency: Any, labels: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Move each item to the label held by a strict majority of its graph neighbours."""
    from scipy import sparse

    labels = np.asarray(labels, dtype=np.int64).copy()
    n = len(labels)
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    for _ in range(rounds):
        k = int(labels.max()) + 1
        onehot = sparse.csr_matrix((np.ones(n), (np.arange(n), labels)), shape=(n, k))
        votes = (adjacency @ onehot).tocsr()
        top = np.asarray(votes.argmax(axis=1)).ravel()
        top_count = np.asarray(votes.max(axis=1).todense()).ravel()
        move = (top != labels) & (top_count > 0.5 * degree)
        if not move.any():
            break
        labels[move] = top[move]
    return labels


def _kmeans_labels(x: np.ndarray, k: int, random_state: int) -> np.ndarray:
    centres = _kmeans(x, k, None, random_state, 300)
    labels, _ = nearest_centroid(x, centres)
    return compact_labels(labels)


class GraphKMeans:
    """The default theme clusterer: k-NN graph smoothing, silhouette-chosen k, spectral finish.

    1. Build the k-NN graph of the (PCA-reduced) rows and smooth the rows over it. On
       small sets the neighbourhood shrinks to ``n // min_rows_per_neighbor`` rows (at
       least 2): with 20 reports, 10 neighbours would reach into every other topic and
       smoothing would blur three plain topics into two.
    2. Let ``AutoKMeans`` choose k on the smoothed rows (label-free silhouette).
    3. If affordable (n·k ≤ ``spectral_budget``), partition the graph spectrally into k
       groups, which follows the shape of the data better than Voronoi cells; otherwise
       keep the k-means partition. Warm starts keep the k-means partition, because its
       seeds are what keeps theme membership stable between runs.
    """

    def __init__(
        self,
        n_neighbors: int = 10,
        smoothing_steps: int = 2,
        kmeans: AutoKMeans | None = None,
        spectral_budget: int = 2_000_000,
        vote_rounds: int = 2,
        min_rows_per_neighbor: int = 8,
        random_state: int = 0,
    ) -> None:
        self.vote_rounds = vote_rounds
        self.min_rows_per_neighbor = min_rows_per_neighbor
        self.n_neighbors = n_neighbors
        self.smoothing_steps = smoothing_steps
        self.kmeans = kmeans if kmeans is not None else AutoKMeans(random_state=random_state)
        self.spectral_budget = spectral_budget
        self.random_state = random_state
        self.labels_: np.ndarray = np.zeros(0, dtype=np.int64)
        self.n_clusters_: int = 0
        self.used_spectral_: bool = False

    @property
    def scores_(self) -> dict[int, float]:
        """Silhouette per candidate k from the k search."""
        return self.kmeans.scores_

    def fit(self, x: np.ndarray, init_labels: np.ndarray | None = None) -> GraphKMeans:
        """Cluster the rows of x; set labels_ and n_clusters_."""
        from clustering.reduce import knn_graph, smooth_on_graph

        x = l2_normalise(x)
        n = x.shape[0]
        if n < 3:
            self.kmeans.fit(x, init_labels)
            self.labels_, self.n_clusters_ = self.kmeans.labels_, self.kmeans.n_clusters_
            return self
        neighbors = min(self.n_neighbors, max(2, n // max(self.min_rows_per_neighbor, 1)))
        graph = knn_graph(x, neighbors)
        smoothed = smooth_on_graph(x, graph, self.smoothing_steps)
        self.kmeans.fit(smoothed, init_labels)
        k = self.kmeans.n_clusters_
        self.labels_ = self.kmeans.labels_
        self.used_spectral_ = False
        if init_labels is not None and self.kmeans.kept_seeds_:
            # Same number of themes as before: keep old members where they are, place new
            # items by the seeded k-means, and move an item only if most of its graph
            # neighbours sit in another theme.
            start = compact_labels(np.asarray(init_labels))
            start = np.where(start >= 0, start, self.kmeans.labels_)
            self.labels_ = compact_labels(graph_vote(graph, start, self.vote_rounds))
        elif init_labels is None and 2 <= k < n and n * k <= self.spectral_budget:
            self.labels_ = spectral_labels(graph, k, self.random_state)
            self.used_spectral_ = True
        self.n_clusters_ = int(self.labels_.max()) + 1 if n else 0
        return self
