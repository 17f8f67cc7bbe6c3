"""Re-clustering stored reports into themes whose ids, titles and statuses survive re-runs."""

from __future__ import annotations

import itertools
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select, update

from bot.db.models import ClusteringRun, PainPoint, Theme, ThemeEvent
from bot.db.session import SessionFactory, writer_lock
from bot.services.embeddings import EmbeddingService, from_bytes, to_bytes
from clustering.nonanswers import is_non_answer
from clustering.pipeline import ClusteringResult, ThemePipeline
from clustering.stability import (
    ClusterMatch,
    ThemeId,
    kept_fraction,
    match_clusters,
    warm_start_labels,
)

logger = logging.getLogger(__name__)


PipelineFactory = Callable[[], ThemePipeline]
NEW_THEME_PREFIX = "new:"


@dataclass(frozen=True)
class ReclusterResult:
    """A summary of one full re-clustering."""

    items: int
    themes: int
    unassigned: int
    created: int
    kept_fraction: float | None
    enough_data: bool = True
    message: str = ""


class ThemeService:
    """Runs the theme engine over stored reports and keeps theme identity stable."""

    def __init__(
        self,
        session_factory: SessionFactory,
        embeddings: EmbeddingService,
        pipeline_factory: PipelineFactory,
        *,
        kind: str = "painpoint",
        assign_threshold: float = 0.5,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self.embeddings = embeddings
        self._pipeline_factory = pipeline_factory
        self.kind = kind
        self.assign_threshold = assign_threshold
        self._clock = clock
        # One re-clustering at a time per process; the worker lease covers several processes.
        self._lock = threading.Lock()

    def recluster(self, *, show_progress: bool = False) -> ReclusterResult:
        """Embed what is missing, cluster everything, and write themes and assignments."""
        with self._lock:
            self.embeddings.embed_pending(show_progress=show_progress)
            started = self._clock()
            with self._session_factory() as session:
                rows = session.execute(
                    select(
                        PainPoint.id,
                        PainPoint.text,
                        PainPoint.reporter,
                        PainPoint.theme_id,
                        PainPoint.embedding,
                    )
                    .where(
                        PainPoint.embedding_model == self.embeddings.model_name,
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
                old_centroids: dict[ThemeId, np.ndarray] = {
                    theme_id: from_bytes(theme.centroid)
                    for theme_id, theme in themes.items()
                    if theme.centroid
                }
            item_ids = [row.id for row in rows]
            old_assignments: dict[Hashable, ThemeId] = {
                row.id: row.theme_id for row in rows if row.theme_id in themes
            }
            if not rows:
                return ReclusterResult(0, 0, 0, 0, None, False, "No reports yet.")
            vectors = np.vstack([from_bytes(bytes(row.embedding or b"")) for row in rows])
            result = self._pipeline_factory().fit(
                [row.text for row in rows],
                vectors,
                reporter_ids=[row.reporter for row in rows],
                init_labels=warm_start_labels(item_ids, old_assignments),
            )
            if not result.enough_data:
                return ReclusterResult(len(rows), 0, len(rows), 0, None, False, result.message)
            fresh = (f"{NEW_THEME_PREFIX}{n}" for n in itertools.count())
            match = match_clusters(
                old_assignments,
                old_centroids,
                result.labels,
                item_ids,
                result.centroids,
                id_factory=lambda: next(fresh),
            )
            return self._write(item_ids, result, match, old_assignments, started)

    def _write(
        self,
        item_ids: list[int],
        result: ClusteringResult,
        match: ClusterMatch,
        old_assignments: dict[Hashable, ThemeId],
        started: datetime,
    ) -> ReclusterResult:
        now = self._clock()
        labels = result.labels
        members: dict[int, list[int]] = defaultdict(list)
        for item_id, label in zip(item_ids, labels.tolist(), strict=True):
            if label >= 0:
                members[int(label)].append(item_id)
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            active = {
                theme.id: theme
                for theme in session.scalars(
                    select(Theme).where(Theme.kind == self.kind, Theme.active.is_(True))
                )
            }
            theme_for_label: dict[int, int] = {}
            created = 0
            for description in result.themes:
                label = description.label
                target = match.mapping.get(label)
                theme = active.get(target) if isinstance(target, int) else None
                if theme is None:
                    theme = Theme(
                        kind=self.kind, title=description.title, status="new", created_at=now
                    )
                    session.add(theme)
                    session.flush()
                    session.add(
                        ThemeEvent(
                            theme_id=theme.id,
                            kind="created",
                            detail={"size": description.size},
                            created_at=now,
                        )
                    )
                    created += 1
                elif not theme.title_locked:
                    theme.title = description.title
                theme.keywords = list(description.keywords)
                theme.centroid = to_bytes(result.centroids[label])
                theme.size = description.size
                theme.reporters = description.n_reporters or 0
                theme.active = True
                theme.updated_at = now
                theme_for_label[label] = theme.id
            ids_of = {
                target: theme_for_label[label]
                for label, target in match.mapping.items()
                if label in theme_for_label
            }
            for survivor, absorbed in match.merges.items():
                for old_id in absorbed:
                    if isinstance(old_id, int) and old_id in active:
                        session.add(
                            ThemeEvent(
                                theme_id=old_id,
                                kind="merged",
                                detail={"into": ids_of.get(survivor)},
                                created_at=now,
                            )
                        )
            for old_id, split_off in match.splits.items():
                for new_id in split_off:
                    if new_id in ids_of:
                        session.add(
                            ThemeEvent(
                                theme_id=ids_of[new_id],
                                kind="split",
                                detail={"from": old_id},
                                created_at=now,
                            )
                        )
            kept_ids = set(theme_for_label.values())
            for theme_id, theme in active.items():
                if theme_id not in kept_ids:
                    theme.active = False
                    theme.updated_at = now
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
            new_assignments: dict[Hashable, ThemeId | None] = {
                item_id: theme_for_label.get(int(label))
                for item_id, label in zip(item_ids, labels.tolist(), strict=True)
            }
            previous = old_assignments
            kept = kept_fraction(previous, new_assignments) if previous else None
            unassigned = int((labels < 0).sum())
            session.add(
                ClusteringRun(
                    kind=self.kind,
                    model=self.embeddings.model_name,
                    items=len(item_ids),
                    themes=len(theme_for_label),
                    unassigned=unassigned,
                    kept_ids_fraction=kept,
                    started_at=started,
                    finished_at=now,
                )
            )
        logger.info(
            "re-clustered %d reports into %d themes (%d unassigned)",
            len(item_ids),
            len(theme_for_label),
            unassigned,
        )
        return ReclusterResult(len(item_ids), len(theme_for_label), unassigned, created, kept)

    def assign_new(self, painpoint_ids: Sequence[int]) -> dict[int, int]:
        """Embed new reports and let each join its nearest theme when it is close enough."""
        with self._session_factory() as session:
            texts = dict(
                session.execute(
                    select(PainPoint.id, PainPoint.text).where(
                        PainPoint.id.in_(list(painpoint_ids)), PainPoint.pending_scrub.is_(False)
                    )
                ).all()
            )
        self.embeddings.embed_ids(list(texts))
        ids, vectors = self.embeddings.load(
            [i for i, text in texts.items() if not is_non_answer(text)]
        )
        if not ids:
            return {}
        assigned: dict[int, int] = {}
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            themes = session.execute(
                select(Theme.id, Theme.centroid).where(
                    Theme.kind == self.kind, Theme.active.is_(True), Theme.centroid.is_not(None)
                )
            ).all()
            if not themes:
                return {}
            centroids = np.vstack([from_bytes(bytes(c or b"")) for _, c in themes])
            if centroids.shape[1] != vectors.shape[1]:
                return {}  # the model changed; the next re-clustering sorts it out
            scores = vectors @ centroids.T
            for row, painpoint_id in enumerate(ids):
                best = int(np.argmax(scores[row]))
                if float(scores[row, best]) >= self.assign_threshold:
                    assigned[painpoint_id] = int(themes[best][0])
            if assigned:
                session.execute(
                    update(PainPoint),
                    [{"id": row_id, "theme_id": theme_id} for row_id, theme_id in assigned.items()],
                )
        return assigned
