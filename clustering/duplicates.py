"""Group near-duplicate answers so that repeats count as more reporters, not more quotes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Rows compared per block: bounds memory to block × n similarities.
_BLOCK = 512


def normalise_text(text: str) -> str:
    """Case-fold, drop punctuation and collapse whitespace (the key for exact duplicates)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def group_near_duplicates(
    texts: Sequence[str], embeddings: np.ndarray | None = None, threshold: float = 0.95
) -> np.ndarray:
    """Return a group id per text; texts with equal normalised form or cosine >= threshold share one.

    Groups are connected components of the "duplicate of" relation. Cost is quadratic in
    len(texts) (blocked, so memory stays linear); call it per theme, not on a whole corpus.
    """
    n = len(texts)
    if embeddings is not None and len(embeddings) != n:
        raise ValueError(f"{n} texts but {len(embeddings)} embeddings")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    first_seen: dict[str, int] = {}
    for i, text in enumerate(texts):
        j = first_seen.setdefault(normalise_text(text), i)
        if j != i:
            rows.append(np.array([i]))
            cols.append(np.array([j]))
    if embeddings is not None:
        vecs = np.asarray(embeddings, dtype=np.float32)
        for start in range(0, n, _BLOCK):
            # one expression, so no block of similarities outlives its own step
            r, c = np.nonzero(vecs[start : start + _BLOCK] @ vecs.T >= threshold)
            r = r + start
            keep = c > r  # each pair once, no self loops
            rows.append(r[keep])
            cols.append(c[keep])
    r_all = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c_all = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(r_all), dtype=np.int8), (r_all, c_all)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)
