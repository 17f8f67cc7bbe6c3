"""Managers correct themes: rename, merge, split, move a report. Each change is logged in theme
history with who and when, and survives re-clusterings: a merged or moved report is pinned to
its theme, and a title a manager gave is never overwritten."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from bot.db.models import PainPoint, Theme, ThemeEvent
from bot.db.session import SessionFactory, theme_writes
from bot.domain.time import utc_now
from bot.services.embeddings import from_bytes
from bot.services.pilot_writes import follow_merge
from clustering.describe import CTfidfRepresentation

MAX_TITLE = 200


class CorrectionError(ValueError):
    """A correction that cannot be made; the message says why in one line."""


@dataclass(frozen=True)
class Correction:
    """What a correction did, in one line, and the themes it touched."""

    message: str
    theme_ids: tuple[int, ...]


class ThemeCorrections:
    """Manager corrections of themes (the role is checked by the caller, before anything)."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        min_reporters: int,
        kind: str = "painpoint",
        embedding_model: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._session_factory = session_factory
        self.min_reporters = min_reporters
        self.kind = kind
        # A split reads only vectors of this model (None: any), as the re-clustering does.
        self.embedding_model = embedding_model
        self._clock = clock

    def rename(self, *, theme_id: int, title: str, actor: str) -> Correction:
        """Give a theme a manager's title, kept across re-clusterings."""
        title = " ".join(title.split())[:MAX_TITLE]
        if not title:
            raise CorrectionError("A title cannot be empty.")
        with theme_writes(self._session_factory) as session:
            theme = self._theme(session, theme_id)
            self._log(session, theme.id, "retitled", actor, {"from": theme.title, "to": title})
            theme.title = title
            theme.title_locked = True
        return Correction(f"Theme #{theme_id} is now called “{title}”.", (theme_id,))

    def merge(self, *, into: int, others: Sequence[int], actor: str) -> Correction:
        """Move every report of `others` into `into` for good; the others end."""
        sources = [theme_id for theme_id in dict.fromkeys(others) if theme_id != into]
        if not sources:
            raise CorrectionError("Name at least one other theme to merge into it.")
        with theme_writes(self._session_factory) as session:
            target = self._theme(session, into)
            for source_id in sources:
                source = self._theme(session, source_id)
                session.execute(
                    update(PainPoint)
                    .where(PainPoint.theme_id == source.id)
                    .values(theme_id=target.id, pinned_theme_id=target.id)
                )
                session.execute(
                    update(PainPoint)
                    .where(PainPoint.pinned_theme_id == source.id)
                    .values(pinned_theme_id=target.id)
                )
                follow_merge(session, source.id, target.id)
                source.active = False
                self._log(session, source.id, "merged", actor, {"into": target.id})
            self._log(session, target.id, "absorbed", actor, {"themes": sources})
            self._recount(session, [target])
        names = ", ".join(f"#{theme_id}" for theme_id in sources)
        return Correction(f"Merged {names} into theme #{into}.", (into, *sources))

    def move(self, *, painpoint_id: int, theme_id: int, actor: str) -> Correction:
        """Put one report in another theme for good."""
        with theme_writes(self._session_factory) as session:
            target = self._theme(session, theme_id)
            row = session.get(PainPoint, painpoint_id)
            if row is None:
                raise CorrectionError(f"There is no report #{painpoint_id}.")
            if row.theme_id == target.id:
                return self._keep(session, row, target.id, actor)
            before = row.theme_id
            row.theme_id = row.pinned_theme_id = target.id
            detail: dict[str, object] = {"report": painpoint_id, "from": before, "to": target.id}
            self._log(session, target.id, "moved_in", actor, detail)
            touched = [target]
            if before is not None and before != target.id:
                self._log(session, before, "moved_out", actor, detail)
                old = session.get(Theme, before)
                if old is not None:
                    touched.append(old)
            self._recount(session, touched)
        return Correction(f"Report #{painpoint_id} is now in theme #{theme_id}.", (theme_id,))

    def _keep(self, session: Session, row: PainPoint, theme_id: int, actor: str) -> Correction:
        """A "move" to the theme a report is in: pin it there, so the engine cannot move it."""
        if row.pinned_theme_id == theme_id:
            raise CorrectionError(f"Report #{row.id} is already in theme #{theme_id}.")
        row.pinned_theme_id = theme_id
        self._log(session, theme_id, "kept", actor, {"report": row.id})
        return Correction(f"Report #{row.id} stays in theme #{theme_id} for good.", (theme_id,))

    def split(self, *, theme_id: int, actor: str) -> Correction:
        """Split a theme in two by meaning; the larger part keeps the theme's id.

        The two parts are found outside the writer lock (k-means and a title take time,
        and other people's clicks wait on that lock); the write then checks that the
        theme's reports are still the ones that were split.
        """
        rows = self._split_rows(theme_id)
        vectors = np.vstack([from_bytes(bytes(row.embedding)) for row in rows])
        labels = _two_parts(vectors)
        if labels.min() == labels.max():
            raise CorrectionError("Its reports are too alike to split in two.")
        if (labels == 0).sum() < (labels == 1).sum():
            labels = 1 - labels  # the larger part keeps the theme
        part = _describe_part(rows, labels, vectors, self.min_reporters)
        moved = [int(row.id) for row, label in zip(rows, labels, strict=True) if label == 1]
        kept = [int(row.id) for row, label in zip(rows, labels, strict=True) if label == 0]
        with theme_writes(self._session_factory) as session:
            theme = self._theme(session, theme_id)
            now = session.scalars(self._split_query(theme.id, PainPoint.id)).all()
            if list(now) != sorted(kept + moved):
                raise CorrectionError(f"Theme #{theme_id} changed while it was split; try again.")
            new = Theme(kind=theme.kind, title=part.title, status="new", created_at=self._clock())
            new.keywords = list(part.keywords)
            session.add(new)
            session.flush()
            session.execute(
                update(PainPoint)
                .where(PainPoint.id.in_(moved))
                .values(theme_id=new.id, pinned_theme_id=new.id)
            )
            session.execute(
                update(PainPoint).where(PainPoint.id.in_(kept)).values(pinned_theme_id=theme.id)
            )
            self._log(session, theme.id, "split", actor, {"into": new.id, "moved": len(moved)})
            self._log(session, new.id, "split_from", actor, {"from": theme.id})
            self._recount(session, [theme, new])
            new_id, shown = new.id, min(theme.reporters, new.reporters) >= self.min_reporters
        if shown:  # a part's size is a count of reports: shown only if both pass the rule
            message = f"Theme #{theme_id} is split: {len(moved)} reports are now theme #{new_id}."
        else:
            message = f"Theme #{theme_id} is split; the new part is theme #{new_id}."
        return Correction(message, (theme_id, new_id))

    def _split_rows(self, theme_id: int) -> list[Any]:
        """The embedded reports of an active theme, if there are enough to split."""
        with self._session_factory() as session:
            theme = self._theme(session, theme_id)
            columns = (PainPoint.id, PainPoint.text, PainPoint.reporter, PainPoint.embedding)
            rows = list(session.execute(self._split_query(theme.id, *columns)).all())
        if len(rows) < 4:
            raise CorrectionError("A theme needs at least four embedded reports to split.")
        return rows

    def _split_query(self, theme_id: int, *columns: Any) -> Select[Any]:
        """The theme's embedded reports (of this model), in id order."""
        query = (
            select(*columns)
            .where(PainPoint.theme_id == theme_id, PainPoint.embedding.is_not(None))
            .order_by(PainPoint.id)
        )
        if self.embedding_model is not None:
            query = query.where(PainPoint.embedding_model == self.embedding_model)
        return query

    # -- helpers ---------------------------------------------------------------------------
    def _theme(self, session: Session, theme_id: int) -> Theme:
        theme = session.get(Theme, theme_id)
        if theme is None or not theme.active or theme.kind != self.kind:
            raise CorrectionError(f"There is no theme #{theme_id} (it may have been merged).")
        return theme

    def _log(
        self, session: Session, theme_id: int, kind: str, actor: str, detail: dict[str, object]
    ) -> None:
        session.add(
            ThemeEvent(
                theme_id=theme_id, kind=kind, detail=detail, actor=actor, created_at=self._clock()
            )
        )

    def _recount(self, session: Session, themes: Sequence[Theme]) -> None:
        session.flush()
        for theme in themes:
            reporters = session.scalars(
                select(PainPoint.reporter).where(PainPoint.theme_id == theme.id)
            ).all()
            theme.size = len(reporters)
            theme.reporters = len(set(reporters))
            theme.updated_at = self._clock()


def _two_parts(vectors: np.ndarray) -> np.ndarray:
    from sklearn.cluster import KMeans

    return np.asarray(KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(vectors))


def _describe_part(
    rows: Sequence[object], labels: np.ndarray, vectors: np.ndarray, min_reporters: int
) -> _Part:
    """A title and keywords for the part that leaves, under the same rules as the engine's."""
    texts = [str(getattr(row, "text", "")) for row in rows]
    reporters = [str(getattr(row, "reporter", "")) for row in rows]
    order = np.asarray(1 - labels, dtype=np.int64)  # the leaving part as theme 0
    [first, *_] = CTfidfRepresentation(min_reporters=min_reporters).describe(
        texts, order, vectors, reporter_ids=reporters
    )
    return _Part(first.title, list(first.keywords))


@dataclass(frozen=True)
class _Part:
    title: str
    keywords: list[str]
