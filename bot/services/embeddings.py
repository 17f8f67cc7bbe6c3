"""Stored embeddings: compute after Slack has been answered, reuse, re-embed when the model changes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy import Update, bindparam, or_, select, update

from bot.db.models import PainPoint
from bot.db.session import SessionFactory, writer_lock
from clustering.embedding import Embedder

logger = logging.getLogger(__name__)
VECTOR_DTYPE = np.float32


def to_bytes(vector: np.ndarray) -> bytes:
    """A vector as stored in the database (float32, native order)."""
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    """The stored bytes back as a float32 vector."""
    return np.frombuffer(raw, dtype=VECTOR_DTYPE)


def embedding_text(text: str, details: str | None) -> str:
    """What gets embedded: the report and any detail added to it."""
    return f"{text}\n{details}" if details else text


class EmbeddingService:
    """Embeds pain points that have no vector from the configured model yet."""

    def __init__(
        self,
        session_factory: SessionFactory,
        embedder_factory: Callable[[], Embedder],
        *,
        model_name: str,
        batch_size: int = 512,
    ) -> None:
        self._session_factory = session_factory
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._lock = threading.Lock()
        self.model_name = model_name
        self.batch_size = batch_size

    @property
    def embedder(self) -> Embedder:
        """The embedder, created on first use (loading a model takes seconds)."""
        with self._lock:
            if self._embedder is None:
                self._embedder = self._embedder_factory()
            return self._embedder

    def pending_ids(self) -> list[int]:
        """Rows without a vector from the current model."""
        with self._session_factory() as session:
            return list(
                session.scalars(
                    select(PainPoint.id)
                    .where(
                        PainPoint.pending_scrub.is_(False),
                        # Past retention: the text is gone, so there is nothing to embed.
                        PainPoint.text_removed_at.is_(None),
                        or_(
                            PainPoint.embedding_model.is_(None),
                            PainPoint.embedding_model != self.model_name,
                        ),
                    )
                    .order_by(PainPoint.id)
                )
            )

    def embed_ids(self, ids: Sequence[int], progress: Callable[[int], None] | None = None) -> int:
        """Embed the given rows that lack this model's vector; returns how many were stored."""
        stored = 0
        for start in range(0, len(ids), self.batch_size):
            batch = list(ids[start : start + self.batch_size])
            with self._session_factory() as session:
                # Rows that already carry this model's vector are skipped: embedding is
                # idempotent, and capture clears the vector whenever the text changes.
                rows = session.execute(
                    select(PainPoint.id, PainPoint.text, PainPoint.details).where(
                        PainPoint.id.in_(batch),
                        # Text still sealed for the full scrub is embedded once it is clean.
                        PainPoint.pending_scrub.is_(False),
                        PainPoint.text_removed_at.is_(None),
                        or_(
                            PainPoint.embedding_model.is_(None),
                            PainPoint.embedding_model != self.model_name,
                        ),
                    )
                ).all()
            if not rows:
                continue
            vectors = self.embedder.embed(
                [embedding_text(text, details) for _, text, details in rows]
            )
            values = [
                {"b_id": row_id, "b_text": text, "b_details": details, "b_vector": to_bytes(vector)}
                for (row_id, text, details), vector in zip(rows, vectors, strict=True)
            ]
            with (
                writer_lock(self._session_factory),
                self._session_factory() as session,
                session.begin(),
            ):
                # One executemany: the writer lock is held for one statement, not one per row,
                # so reports arriving meanwhile wait only briefly.
                session.connection().execute(self._store, values)
            stored += len(rows)
            if progress is not None:
                progress(len(rows))
        return stored

    @property
    def _store(self) -> Update:
        """Store a vector only on a row still clean and holding the words it was made from:
        one edited or sealed again meanwhile is embedded afresh once its new words are clean."""
        return (
            update(PainPoint)
            .where(
                PainPoint.id == bindparam("b_id"),
                PainPoint.pending_scrub.is_(False),
                PainPoint.text == bindparam("b_text"),
                PainPoint.details.is_not_distinct_from(bindparam("b_details")),
            )
            .values(embedding=bindparam("b_vector"), embedding_model=self.model_name)
        )

    def embed_pending(self, *, show_progress: bool = False) -> int:
        """Backfill every row that lacks a vector from the current model."""
        ids = self.pending_ids()
        if not ids:
            return 0
        from tqdm import tqdm

        with tqdm(
            total=len(ids), desc="Embedding", unit="report", disable=not show_progress
        ) as bar:
            return self.embed_ids(ids, progress=bar.update)

    def load(self, ids: Sequence[int] | None = None) -> tuple[list[int], np.ndarray]:
        """Ids and stacked vectors of embedded rows (all, or the given ones)."""
        with self._session_factory() as session:
            query = select(PainPoint.id, PainPoint.embedding).where(
                PainPoint.embedding_model == self.model_name, PainPoint.embedding.is_not(None)
            )
            if ids is not None:
                query = query.where(PainPoint.id.in_(list(ids)))
            rows = session.execute(query.order_by(PainPoint.id)).all()
        if not rows:
            return [], np.zeros((0, 0), dtype=VECTOR_DTYPE)
        return [row_id for row_id, _ in rows], np.vstack(
            [from_bytes(bytes(raw or b"")) for _, raw in rows]
        )
