"""Synthetic data for theme-engine tests: normalised blobs and a hashing embedder."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
from sklearn.datasets import make_blobs

from clustering.embedding import l2_normalise


def blobs(
    n: int = 600, k: int = 8, dim: int = 32, std: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Well-separated Gaussian blobs, rows L2-normalised (like sentence embeddings)."""
    x, y = make_blobs(
        n_samples=n,
        centers=k,
        n_features=dim,
        cluster_std=std,
        center_box=(-10, 10),
        random_state=seed,
    )
    return l2_normalise(x.astype(np.float32)), y


class HashingEmbedder:
    """Deterministic bag-of-words embedder: each word hashes to one of ``dim`` buckets."""

    model_name = "hashing-test"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                bucket = int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % self.dim
                out[i, bucket] += 1.0
            if not out[i].any():
                out[i, 0] = 1.0
        return l2_normalise(out)
