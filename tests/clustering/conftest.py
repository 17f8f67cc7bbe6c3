"""Shared fixtures for theme-engine tests: a fake embedder (the real model is in tests/conftest)."""

from __future__ import annotations

import pytest

from tests.clustering.synthetic import HashingEmbedder


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()
