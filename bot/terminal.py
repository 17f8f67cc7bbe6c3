"""The terminal as a surface: the model loading, per-batch embedding progress, timed stages.

Everything here writes to stderr, so that a command's output can still be piped; on a
terminal the current stage's elapsed time ticks, elsewhere each stage is one line at its end.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TextIO

import numpy as np

from clustering.embedding import SentenceTransformerEmbedder

BATCH = 256


class ModelNotFound(Exception):
    """PAINPOINT_EMBEDDING_MODEL names nothing that can be loaded (the message says what to do)."""


def terminal_width(default: int = 100) -> int:
    """Columns available for a table (the real terminal, or `default` when piped)."""
    return shutil.get_terminal_size((default, 24)).columns


class Stage:
    """`label…` while it runs (ticking on a terminal), then `label… done in N s`.

    A context manager, or `start()` and `finish()` when the end is seen elsewhere.
    """

    def __init__(self, label: str, *, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self._ticking = self.stream.isatty()
        self._stop = threading.Event()
        self._started: float | None = None
        self._ticker: threading.Thread | None = None

    def start(self) -> Stage:
        """Say what is starting."""
        self._started = time.monotonic()
        if self._ticking:
            self.stream.write(f"{self.label}…")
            self.stream.flush()
            self._ticker = threading.Thread(target=self._tick, name="painpoint-stage", daemon=True)
            self._ticker.start()
        return self

    def _tick(self) -> None:
        assert self._started is not None
        while not self._stop.wait(1.0):
            self.stream.write(f"\r{self.label}… {time.monotonic() - self._started:.0f} s")
            self.stream.flush()

    def finish(self) -> None:
        """Say that it is done and how long it took (once)."""
        if self._started is None:
            return
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        elapsed = time.monotonic() - self._started
        self._started = None
        prefix = "\r" if self._ticking else ""
        self.stream.write(f"{prefix}{self.label}… done in {elapsed:.1f} s\n")
        self.stream.flush()

    def __enter__(self) -> Stage:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.finish()


class TerminalEmbedder:
    """Wraps the sentence-transformers embedder for a person watching: says when the model
    loads, shows a bar that moves per batch (unless the caller keeps its own: `bar=False`),
    and calls `after_embedding` when done."""

    def __init__(
        self,
        model: str,
        *,
        show: bool = True,
        bar: bool = True,
        batch: int = BATCH,
        after_embedding: Callable[[int], None] | None = None,
    ) -> None:
        from bot.runtime import model_problem

        problem = model_problem(model)
        if problem is not None:
            raise ModelNotFound(problem)
        self.inner = SentenceTransformerEmbedder(model)
        self.show = show
        self.bar = bar and show
        self.batch = batch
        self.after_embedding = after_embedding
        self._loaded = False

    @property
    def model_name(self) -> str:
        """The model's stable name."""
        return self.inner.model_name

    def load(self) -> None:
        """Load the model now, saying so (it takes several seconds the first time)."""
        if self._loaded:
            return
        if self.show:
            with Stage(f"loading the embedding model {self.model_name}"):
                _ = self.inner.model
        else:
            _ = self.inner.model
        self._loaded = True

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed in batches of `batch`, moving the bar after each one."""
        self.load()
        items = [str(text) for text in texts]
        if not items:
            return self.inner.embed(items)
        from tqdm import tqdm

        parts: list[np.ndarray] = []
        with tqdm(total=len(items), desc="embedding", unit="text", disable=not self.bar) as bar:
            for start in range(0, len(items), self.batch):
                part = items[start : start + self.batch]
                parts.append(self.inner.embed(part))
                bar.update(len(part))
        if self.after_embedding is not None:
            self.after_embedding(len(items))
        return np.concatenate(parts, axis=0)
