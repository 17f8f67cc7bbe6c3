"""Shared fixtures for theme-engine tests: a fake embedder and the real model (loaded once)."""

from __future__ import annotations

import pytest

from clustering.embedding import SentenceTransformerEmbedder
from tests.clustering.synthetic import HashingEmbedder


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The packaged MiniLM model, loaded once per test run."""
    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])
    return embedder
