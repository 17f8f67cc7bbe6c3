"""Closing the loop: the lessons that best match each pain-point theme, by embedding similarity."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy import select

from bot.db.models import Theme
from bot.db.session import SessionFactory
from bot.domain.lessons import Library
from bot.domain.themes import Suggestion
from bot.services.embeddings import from_bytes
from clustering.embedding import Embedder

MIN_SIMILARITY = 0.3  # below this a lesson is no real help for the theme (the VPN theme gets none)


class LessonSuggester:
    """Embeds the lesson library once (title, summary and body) and ranks it per theme."""

    def __init__(
        self,
        session_factory: SessionFactory,
        library: Library,
        embedder_factory: Callable[[], Embedder],
        *,
        per_theme: int = 2,
        min_similarity: float = MIN_SIMILARITY,
    ) -> None:
        self._session_factory = session_factory
        self._library = library
        self._embedder_factory = embedder_factory
        self.per_theme = per_theme
        self.min_similarity = min_similarity
        self._vectors: np.ndarray | None = None
        self._ids: list[str] = []
        self._lock = threading.Lock()

    def _lesson_vectors(self) -> tuple[list[str], np.ndarray]:
        with self._lock:
            if self._vectors is None:
                lessons = sorted(self._library.lessons.values(), key=lambda lesson: lesson.id)
                self._ids = [lesson.id for lesson in lessons]
                texts = [f"{lesson.title}. {lesson.summary}\n{lesson.body}" for lesson in lessons]
                self._vectors = (
                    self._embedder_factory().embed(texts) if texts else np.zeros((0, 1), np.float32)
                )
            return self._ids, self._vectors

    def for_themes(self, theme_ids: Sequence[int]) -> dict[int, list[Suggestion]]:
        """The best lessons for each theme (themes without a centre get none)."""
        if not theme_ids:
            return {}
        with self._session_factory() as session:
            rows = session.execute(
                select(Theme.id, Theme.centroid).where(
                    Theme.id.in_(list(theme_ids)), Theme.centroid.is_not(None)
                )
            ).all()
        if not rows:
            return {}
        ids, vectors = self._lesson_vectors()
        if not ids:
            return {}
        result: dict[int, list[Suggestion]] = {}
        for theme_id, raw in rows:
            centre = from_bytes(bytes(raw or b""))
            if centre.shape[0] != vectors.shape[1]:
                continue  # made with another model; the next re-clustering fixes it
            scores = vectors @ centre / max(float(np.linalg.norm(centre)), 1e-9)
            best = np.argsort(-scores)[: self.per_theme]
            result[int(theme_id)] = [
                Suggestion(ids[i], self._library.lessons[ids[i]].title, float(scores[i]))
                for i in best
                if scores[i] >= self.min_similarity
            ]
        return result
