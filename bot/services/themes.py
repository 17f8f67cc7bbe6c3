"""Re-clustering stored reports into themes whose ids, titles and statuses survive re-runs."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import numpy as np
from sqlalchemy import select, update

from bot.db.models import ClusteringRun, PainPoint, Theme, ThemeEvent
from bot.db.session import SessionFactory
from bot.services.embeddings import EmbeddingService, from_bytes, to_bytes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Clustering:
    """What the engine found: a label per item (-1 unassigned), keywords and titles per label."""

    labels: np.ndarray
    keywords: dict[int, list[str]]
    titles: dict[int, str]


@dataclass(frozen=True)
class Matching:
    """New labels mapped to theme ids (None = a new theme), plus merges and splits seen."""

    theme_for_label: dict[int, int | None]
    merges: list[tuple[int, int]] = field(default_factory=list)  # (absorbed theme, into theme)
    splits: list[tuple[int, int]] = field(default_factory=list)  # (from theme, new label)


class ThemeEngine(Protocol):
    """The clustering package seen from the database side."""

    min_items: int
    assign_threshold: float

    def cluster(self, texts: Sequence[str], vectors: np.ndarray) -> Clustering:
        """Cluster items; never called with fewer than `min_items`."""
        ...

    def match(
        self,
        old_assignments: Mapping[int, int],
        old_centroids: Mapping[int, np.ndarray],
        item_ids: Sequence[int],
        labels: np.ndarray,
        new_centroids: Mapping[int, np.ndarray],
    ) -> Matching:
        """Map new clusters onto existing themes."""
        ...


@dataclass(frozen=True)
class ReclusterResult:
    """A summary of one full re-clustering."""

    items: int
    themes: int
    unassigned: int
    created: int
    kept_fraction: float | None
    enough_data: bool = True


def centroids_of(vectors: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Unit-length mean vector of each label (unassigned excluded)."""
    result: dict[int, np.ndarray] = {}
    for label in np.unique(labels):
        if label < 0:
            continue
        centre = vectors[labels == label].mean(axis=0)
        norm = float(np.linalg.norm(centre))
        result[int(label)] = centre / norm if norm else centre
    return result


class ThemeService:
    """Runs the theme engine over stored reports and keeps theme identity stable."""

    def __init__(
        self,
        session_factory: SessionFactory,
        embeddings: EmbeddingService,
        engine_factory: Callable[[], ThemeEngine],
        *,
        kind: str = "painpoint",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self._embeddings = embeddings
        self._engine_factory = engine_factory
        self._engine: ThemeEngine | None = None
        self.kind = kind
        self._clock = clock
        # One re-clustering at a time per process; the worker lease covers several processes.
        self._lock = threading.Lock()

    @property
    def engine(self) -> ThemeEngine:
        """The engine, built on first use."""
        if self._engine is None:
            self._engine = self._engine_factory()
        return self._engine

    def recluster(self, *, show_progress: bool = False) -> ReclusterResult:
        """Embed what is missing, cluster everything, and write themes and assignments."""
        with self._lock:
            self._embeddings.embed_pending(show_progress=show_progress)
            started = self._clock()
            with self._session_factory() as session:
                rows = session.execute(
                    select(PainPoint.id, PainPoint.text, PainPoint.theme_id, PainPoint.embedding)
                    .where(
                        PainPoint.embedding_model == self._embeddings.model_name,
                        PainPoint.embedding.is_not(None),
                    )
                    .order_by(PainPoint.id)
                ).all()
                themes = {
                    theme.id: theme
                    for theme in session.scalars(
                        select(Theme).where(Theme.kind == self.kind, Theme.active.is_(True))
                    )
                }
                old_centroids = {
                    theme_id: from_bytes(theme.centroid)
                    for theme_id, theme in themes.items()
                    if theme.centroid
                }
            if len(rows) < self.engine.min_items:
                return ReclusterResult(len(rows), 0, len(rows), 0, None, enough_data=False)
            item_ids = [row.id for row in rows]
            texts = [row.text for row in rows]
            vectors = np.vstack([from_bytes(bytes(row.embedding or b"")) for row in rows])
            old_assignments = {row.id: row.theme_id for row in rows if row.theme_id in themes}

            clustering = self.engine.cluster(texts, vectors)
            labels = np.asarray(clustering.labels)
            new_centroids = centroids_of(vectors, labels)
            matching = self.engine.match(
                old_assignments, old_centroids, item_ids, labels, new_centroids
            )
            return self._write(
                item_ids, labels, clustering, matching, new_centroids, old_assignments, started
            )

    def _write(
        self,
        item_ids: list[int],
        labels: np.ndarray,
        clustering: Clustering,
        matching: Matching,
        centroids: dict[int, np.ndarray],
        old_assignments: dict[int, int],
        started: datetime,
    ) -> ReclusterResult:
        now = self._clock()
        members: dict[int, list[int]] = defaultdict(list)
        for item_id, label in zip(item_ids, labels, strict=True):
            if label >= 0:
                members[int(label)].append(item_id)
        with self._session_factory() as session, session.begin():
            reporters = dict(
                session.execute(
                    select(PainPoint.id, PainPoint.reporter).where(PainPoint.id.in_(item_ids))
                ).tuples()
            )
            active = {
                theme.id: theme
                for theme in session.scalars(
                    select(Theme).where(Theme.kind == self.kind, Theme.active.is_(True))
                )
            }
            theme_for_label: dict[int, int] = {}
            created = 0
            for label, ids in members.items():
                theme_id = matching.theme_for_label.get(label)
                theme = active.get(theme_id) if theme_id is not None else None
                if theme is None:
                    theme = Theme(
                        kind=self.kind,
                        title=clustering.titles.get(label, "Untitled theme"),
                        created_at=now,
                        updated_at=now,
                        status="new",
                    )
                    session.add(theme)
                    session.flush()
                    session.add(
                        ThemeEvent(
                            theme_id=theme.id,
                            kind="created",
                            detail={"size": len(ids)},
                            created_at=now,
                        )
                    )
                    created += 1
                elif not theme.title_locked:
                    theme.title = clustering.titles.get(label, theme.title)
                theme.keywords = clustering.keywords.get(label, [])
                theme.centroid = to_bytes(centroids[label])
                theme.size = len(ids)
                theme.reporters = len({reporters[i] for i in ids})
                theme.active = True
                theme.updated_at = now
                theme_for_label[label] = theme.id
            kept_theme_ids = set(theme_for_label.values())
            for absorbed, into in matching.merges:
                if absorbed in active and absorbed not in kept_theme_ids:
                    session.add(
                        ThemeEvent(
                            theme_id=absorbed, kind="merged", detail={"into": into}, created_at=now
                        )
                    )
            for source, label in matching.splits:
                if (
                    source in active
                    and label in theme_for_label
                    and theme_for_label[label] != source
                ):
                    session.add(
                        ThemeEvent(
                            theme_id=theme_for_label[label],
                            kind="split",
                            detail={"from": source},
                            created_at=now,
                        )
                    )
            for theme_id, theme in active.items():
                if theme_id not in kept_theme_ids:
                    theme.active = False
                    theme.updated_at = now
            # Assignments: one UPDATE per theme, then clear the rest.
            session.execute(
                update(PainPoint).where(PainPoint.id.in_(item_ids)).values(theme_id=None)
            )
            for label, ids in members.items():
                for start in range(0, len(ids), 900):
                    session.execute(
                        update(PainPoint)
                        .where(PainPoint.id.in_(ids[start : start + 900]))
                        .values(theme_id=theme_for_label[label])
                    )
            kept = None
            if old_assignments:
                new_assignment = {
                    item_id: theme_for_label.get(int(label))
                    for item_id, label in zip(item_ids, labels, strict=True)
                }
                kept = sum(
                    1 for i, t in old_assignments.items() if new_assignment.get(i) == t
                ) / len(old_assignments)
            unassigned = int((labels < 0).sum())
            session.add(
                ClusteringRun(
                    kind=self.kind,
                    model=self._embeddings.model_name,
                    items=len(item_ids),
                    themes=len(members),
                    unassigned=unassigned,
                    kept_ids_fraction=kept,
                    started_at=started,
                    finished_at=now,
                )
            )
        logger.info(
            "re-clustered %d reports into %d themes (%d unassigned)",
            len(item_ids),
            len(members),
            unassigned,
        )
        return ReclusterResult(len(item_ids), len(members), unassigned, created, kept)

    def assign_new(self, painpoint_id: int) -> int | None:
        """Embed one new report and let it join its nearest theme when it is close enough."""
        self._embeddings.embed_ids([painpoint_id])
        ids, vectors = self._embeddings.load([painpoint_id])
        if not ids:
            return None
        with self._session_factory() as session, session.begin():
            themes = session.execute(
                select(Theme.id, Theme.centroid).where(
                    Theme.kind == self.kind, Theme.active.is_(True), Theme.centroid.is_not(None)
                )
            ).all()
            if not themes:
                return None
            centroids = np.vstack([from_bytes(bytes(c or b"")) for _, c in themes])
            if centroids.shape[1] != vectors.shape[1]:
                return None  # the model changed; the next re-clustering sorts it out
            scores = centroids @ vectors[0]
            best = int(np.argmax(scores))
            if float(scores[best]) < self.engine.assign_threshold:
                return None
            theme_id = int(themes[best][0])
            session.execute(
                update(PainPoint).where(PainPoint.id == painpoint_id).values(theme_id=theme_id)
            )
            return theme_id
