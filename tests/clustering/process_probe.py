"""An embedder that reports where it runs, for the ProcessEmbedder tests (spawned by name)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DIE_ONCE = "die-once:"


class WhereAmIEmbedder:
    """Row per text: [process id, CPU priority, text length]; `die-once:<path>` kills it once."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        for text in texts:
            if text.startswith(DIE_ONCE):
                marker = Path(text.removeprefix(DIE_ONCE))
                if not marker.exists():
                    marker.touch()
                    os._exit(1)
        niceness = os.getpriority(os.PRIO_PROCESS, 0)
        rows = [[os.getpid(), niceness, len(text)] for text in texts]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), 3)
