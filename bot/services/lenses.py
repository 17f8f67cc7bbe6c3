"""Giving every report an audit lens: the reporter's choice, else a zero-shot suggestion.

The suggestion compares a report's stored embedding with embeddings of short descriptions of
each lens (bot.domain.lenses.LENS_DESCRIPTIONS), made once with the same model: offline, and
free for reports that are already embedded for the theme engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select, update

from bot.db.models import PainPoint, Theme, ThemeEvent
from bot.db.session import SessionFactory, writer_lock
from bot.domain.lenses import LENS_DESCRIPTIONS, LENSES, best_lens, lens_key
from bot.services.embeddings import from_bytes
from clustering.embedding import Embedder

BATCH = 2000


class LensError(ValueError):
    """A lens or theme that cannot be used; the message says why."""


class LensSuggester:
    """Suggests lenses from embeddings and records who chose each report's lens."""

    def __init__(
        self,
        session_factory: SessionFactory,
        embedder_factory: Callable[[], Embedder],
        *,
        model_name: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self._embedder_factory = embedder_factory
        self.model_name = model_name
        self._clock = clock
        self._prototypes: list[np.ndarray] | None = None
        self._bias: list[float] = []
        self._lock = threading.Lock()

    def prototypes(self) -> tuple[list[np.ndarray], list[float]]:
        """One matrix of description vectors per lens, and each lens's bias (its mean score
        over every description), embedded once on first use."""
        with self._lock:
            if self._prototypes is None:
                embedder = self._embedder_factory()
                self._prototypes = [
                    np.asarray(embedder.embed(list(LENS_DESCRIPTIONS[key])), dtype=np.float32)
                    for key in LENSES
                ]
                every = np.vstack(self._prototypes)
                self._bias = [float((every @ matrix.T).mean()) for matrix in self._prototypes]
            return self._prototypes, self._bias

    def classify(self, vectors: np.ndarray) -> list[str]:
        """The best lens for each (L2-normalised) vector."""
        prototypes, bias = self.prototypes()
        scores = [vectors @ matrix.T for matrix in prototypes]
        return [best_lens([row[i].tolist() for row in scores], bias) for i in range(len(vectors))]

    def suggest_texts(self, texts: Sequence[str]) -> list[str]:
        """Suggest lenses for texts that are not stored (benchmarks, the demo)."""
        if not texts:
            return []
        vectors = np.asarray(self._embedder_factory().embed(list(texts)), dtype=np.float32)
        return self.classify(vectors)

    def after(self, step: Callable[[Sequence[int]], object]) -> Callable[[Sequence[int]], None]:
        """`step` (embedding, theme assignment), then lenses for the same reports."""

        def run(painpoint_ids: Sequence[int]) -> None:
            step(painpoint_ids)
            self.fill(painpoint_ids)

        return run

    def fill(self, painpoint_ids: Sequence[int] | None = None) -> int:
        """Give a lens to reports that have none: the reporter's category, else a suggestion
        from the stored embedding (reports not embedded yet wait). Returns how many changed."""
        changed = 0
        query = select(
            PainPoint.id, PainPoint.category, PainPoint.embedding, PainPoint.embedding_model
        ).where(PainPoint.lens.is_(None), PainPoint.pending_scrub.is_(False))
        if painpoint_ids is not None:
            if not painpoint_ids:
                return 0
            query = query.where(PainPoint.id.in_(list(painpoint_ids)))
        with self._session_factory() as session:
            rows = session.execute(query.order_by(PainPoint.id)).all()
        for start in range(0, len(rows), BATCH):
            changed += self._fill_batch(rows[start : start + BATCH])
        return changed

    def _fill_batch(self, rows: Sequence[Any]) -> int:
        values: list[dict[str, object]] = []
        to_embed: list[tuple[int, bytes]] = []
        for row in rows:
            row_id, category, embedding, model = int(row[0]), row[1], row[2], row[3]
            chosen = lens_key(category)
            if chosen:
                values.append({"id": row_id, "lens": chosen, "lens_source": "reporter"})
            elif embedding and model == self.model_name:
                to_embed.append((row_id, bytes(embedding)))
        if to_embed:
            vectors = np.vstack([from_bytes(raw) for _, raw in to_embed])
            if vectors.shape[1] == self.prototypes()[0][0].shape[1]:
                for (row_id, _), lens in zip(to_embed, self.classify(vectors), strict=True):
                    values.append({"id": row_id, "lens": lens, "lens_source": "suggested"})
        if not values:
            return 0
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            session.execute(update(PainPoint), values)
        return len(values)

    def set_theme_lens(self, *, theme_id: int, lens: str, actor: str) -> int:
        """A manager's lens for every report of a theme (kept over suggestions and forms)."""
        key = lens_key(lens)
        if key is None:
            raise LensError(f"unknown lens {lens!r}; use one of {', '.join(LENSES)}")
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            theme = session.get(Theme, theme_id)
            if theme is None or not theme.active:
                raise LensError(f"there is no theme #{theme_id}")
            result = session.execute(
                update(PainPoint)
                .where(PainPoint.theme_id == theme_id)
                .values(lens=key, lens_source="manager")
                .execution_options(synchronize_session=False)
            )
            session.add(
                ThemeEvent(
                    theme_id=theme_id,
                    kind="lens",
                    detail={"lens": key},
                    actor=actor[:32],
                    created_at=self._clock(),
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)
