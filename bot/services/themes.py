"""Re-clustering stored reports into themes whose ids, titles and statuses survive re-runs, and
letting a new report join a theme between re-clusterings by the engine's own rule."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import PainPoint, Theme
from bot.db.session import SessionFactory, theme_writes, writer_lock
from bot.domain.time import utc_now
from bot.services.embeddings import EmbeddingService, from_bytes
from bot.services.theme_writer import ReclusterResult, Run, write_run
from clustering.assign import join_labels
from clustering.nonanswers import is_non_answer
from clustering.pipeline import ThemePipeline
from clustering.stability import ThemeId, match_clusters, warm_start_labels

logger = logging.getLogger(__name__)

PipelineFactory = Callable[[], ThemePipeline]
NEW_THEME_PREFIX = "new:"
RECLUSTER_ATTEMPTS = 3
CORRECTED_DURING_RUN = (
    "Themes were corrected during each try of this re-clustering; nothing was written over "
    "the corrections, and the next scheduled run clusters again."
)
__all__ = ["PipelineFactory", "ReclusterResult", "ThemeService"]


class ThemeService:
    """Runs the theme engine over stored reports and keeps theme identity stable."""

    def __init__(
        self,
        session_factory: SessionFactory,
        embeddings: EmbeddingService,
        pipeline_factory: PipelineFactory,
        *,
        kind: str = "painpoint",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._session_factory = session_factory
        self.embeddings = embeddings
        self._pipeline_factory = pipeline_factory
        self.kind = kind
        self._clock = clock
        # One re-clustering at a time per process; the worker lease covers several processes.
        self._lock = threading.Lock()

    def recluster(self, *, show_progress: bool = False) -> ReclusterResult:
        """Embed what is missing, cluster everything, and write themes and assignments.

        A manager's correction made while the engine runs wins: the run is written only if
        the pins and active themes it started from are unchanged, else it starts again (at
        most ``RECLUSTER_ATTEMPTS`` times) and, failing that, writes nothing.
        """
        with self._lock:
            self.embeddings.embed_pending(show_progress=show_progress)
            for _ in range(RECLUSTER_ATTEMPTS):
                fitted = self._fit()
                if isinstance(fitted, ReclusterResult):
                    return fitted
                run, active_seen = fitted
                with theme_writes(self._session_factory) as session:
                    if self._corrections(session, run) != (active_seen, run.pins):
                        logger.info("themes were corrected during the re-clustering; again")
                        continue
                    summary = write_run(session, run)
                logger.info(
                    "re-clustered %d reports into %d themes (%d unassigned)",
                    summary.items,
                    summary.themes,
                    summary.unassigned,
                )
                return summary
        return ReclusterResult(0, 0, 0, 0, None, False, CORRECTED_DURING_RUN)

    def _fit(self) -> tuple[Run, set[int]] | ReclusterResult:
        """Cluster the stored reports; the run to write and the active themes it started
        from (with the pins the run holds, what managers had set)."""
        started = self._clock()
        rows, themes, old_centroids = self._load()
        if not rows:
            return ReclusterResult(0, 0, 0, 0, None, False, "No reports yet.")
        item_ids = [row.id for row in rows]
        old_assignments: dict[Hashable, ThemeId] = {
            row.id: row.theme_id for row in rows if row.theme_id in themes
        }
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
        run = Run(
            kind=self.kind,
            model=self.embeddings.model_name,
            item_ids=item_ids,
            reporters={row.id: row.reporter for row in rows},
            pins={row.id: row.pinned_theme_id for row in rows if row.pinned_theme_id},
            result=result,
            match=match,
            old_assignments=old_assignments,
            started=started,
            now=self._clock(),
        )
        return run, themes

    def _corrections(self, session: Session, run: Run) -> tuple[set[int], dict[int, int]]:
        """The active themes, and the pins of the run's reports, as they stand now."""
        themes = set(
            session.scalars(
                select(Theme.id).where(Theme.kind == self.kind, Theme.active.is_(True))
            ).all()
        )
        in_run = set(run.item_ids)
        pins = session.execute(
            select(PainPoint.id, PainPoint.pinned_theme_id).where(
                PainPoint.pinned_theme_id.is_not(None)
            )
        ).all()
        return themes, {row: theme for row, theme in pins if row in in_run and theme is not None}

    def _load(self) -> tuple[list[Any], set[int], dict[ThemeId, np.ndarray]]:
        """The clustered reports (with their pins), the active themes and their centres."""
        with self._session_factory() as session:
            # themes before reports: a correction in between shows in the reports' pins
            themes = session.execute(
                select(Theme.id, Theme.centroid).where(
                    Theme.kind == self.kind, Theme.active.is_(True)
                )
            ).all()
            rows = session.execute(
                select(
                    PainPoint.id,
                    PainPoint.text,
                    PainPoint.reporter,
                    PainPoint.theme_id,
                    PainPoint.pinned_theme_id,
                    PainPoint.embedding,
                )
                .where(
                    PainPoint.embedding_model == self.embeddings.model_name,
                    PainPoint.embedding.is_not(None),
                    # Past retention: no text to cluster; the row keeps its theme.
                    PainPoint.text_removed_at.is_(None),
                    # Sealed for its full scrub: nobody's words to cluster or title yet.
                    PainPoint.pending_scrub.is_(False),
                )
                .order_by(PainPoint.id)
            ).all()
        old_centroids: dict[ThemeId, np.ndarray] = {
            theme_id: from_bytes(bytes(centroid)) for theme_id, centroid in themes if centroid
        }
        return list(rows), {theme_id for theme_id, _ in themes}, old_centroids

    def assign_new(self, painpoint_ids: Sequence[int]) -> dict[int, int]:
        """Embed new reports and let each join its nearest theme by the engine's own rule.

        A theme's join threshold is learned when it is clustered; a report that reaches no
        theme's threshold waits unassigned for the next re-clustering, like a one-off.
        """
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
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            themes = session.execute(
                select(Theme.id, Theme.centroid, Theme.join_threshold).where(
                    Theme.kind == self.kind,
                    Theme.active.is_(True),
                    Theme.centroid.is_not(None),
                    Theme.join_threshold.is_not(None),
                )
            ).all()
            if not themes:
                return {}
            centroids = np.vstack([from_bytes(bytes(c or b"")) for _, c, _ in themes])
            if centroids.shape[1] != vectors.shape[1]:
                return {}  # the model changed; the next re-clustering sorts it out
            labels = join_labels(vectors, centroids, np.array([t for _, _, t in themes]))
            assigned = {
                painpoint_id: int(themes[label][0])
                for painpoint_id, label in zip(ids, labels.tolist(), strict=True)
                if label >= 0
            }
            if assigned:
                session.execute(
                    update(PainPoint),
                    [{"id": row_id, "theme_id": theme_id} for row_id, theme_id in assigned.items()],
                )
        return assigned
