"""Writing one re-clustering: themes keep their ids, titles a manager set, and every report a
manager pinned; history records what the engine merged and split."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import ClusteringRun, PainPoint, Theme, ThemeEvent
from bot.services.embeddings import to_bytes
from bot.services.pilot_writes import follow_merge
from clustering.pipeline import ClusteringResult
from clustering.stability import ClusterMatch, ThemeId, kept_fraction


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


@dataclass(frozen=True)
class Run:
    """What one re-clustering found, for the items it clustered."""

    kind: str
    model: str
    item_ids: list[int]
    reporters: Mapping[int, str]
    pins: Mapping[int, int]  # item → the theme a manager put it in
    result: ClusteringResult
    match: ClusterMatch
    old_assignments: dict[Hashable, ThemeId]
    started: datetime
    now: datetime


def write_run(session: Session, run: Run) -> ReclusterResult:
    """Store the run's themes and assignments in the caller's transaction."""
    active = {
        theme.id: theme
        for theme in session.scalars(
            select(Theme).where(Theme.kind == run.kind, Theme.active.is_(True))
        )
    }
    theme_for_label, created = _themes_for_labels(session, run, active)
    _history(session, run, active, theme_for_label)
    final = _final_assignments(run, theme_for_label, active)
    members: dict[int, list[int]] = defaultdict(list)
    for item_id, theme_id in final.items():
        if theme_id is not None:
            members[theme_id].append(item_id)
    for theme_id, theme in active.items():
        if theme_id not in members:  # the engine and managers left it without a report
            theme.active = False
            theme.updated_at = run.now
    _assign(session, run.item_ids, members)
    for theme_id, ids in members.items():
        theme = active[theme_id]  # every final theme is active: matched, created or pinned
        theme.active = True
        theme.size = len(ids)
        theme.reporters = len({run.reporters[item] for item in ids})
    unassigned = sum(1 for theme_id in final.values() if theme_id is None)
    share = kept_fraction(run.old_assignments, dict(final.items())) if run.old_assignments else None
    session.add(
        ClusteringRun(
            kind=run.kind,
            model=run.model,
            items=len(run.item_ids),
            themes=len(members),
            unassigned=unassigned,
            kept_ids_fraction=share,
            started_at=run.started,
            finished_at=run.now,
        )
    )
    return ReclusterResult(len(run.item_ids), len(members), unassigned, created, share)


def _themes_for_labels(
    session: Session, run: Run, active: dict[int, Theme]
) -> tuple[dict[int, int], int]:
    """The theme row of each label: matched to an old theme, or created."""
    theme_for_label: dict[int, int] = {}
    created = 0
    thresholds = run.result.thresholds
    for description in run.result.themes:
        label = description.label
        target = run.match.mapping.get(label)
        theme = active.get(target) if isinstance(target, int) else None
        if theme is None:
            theme = Theme(kind=run.kind, title=description.title, status="new", created_at=run.now)
            session.add(theme)
            session.flush()
            session.add(
                ThemeEvent(
                    theme_id=theme.id,
                    kind="created",
                    detail={"size": description.size},
                    created_at=run.now,
                )
            )
            active[theme.id] = theme
            created += 1
        elif not theme.title_locked:
            theme.title = description.title
        theme.keywords = list(description.keywords)
        theme.centroid = to_bytes(run.result.centroids[label])
        theme.join_threshold = float(thresholds[label]) if label < len(thresholds) else None
        theme.active = True
        theme.updated_at = run.now
        theme_for_label[label] = theme.id
    return theme_for_label, created


def _history(
    session: Session, run: Run, active: dict[int, Theme], theme_for_label: dict[int, int]
) -> None:
    """Merges and splits the engine made, with the rows past retention following merges."""
    ids_of = {
        target: theme_for_label[label]
        for label, target in run.match.mapping.items()
        if label in theme_for_label
    }
    # A theme a manager's pins keep (the part a manager split off, the target of a move) is
    # not merged, even where the engine finds its reports in another theme's cluster.
    kept_by_pins = {theme_id for theme_id in run.pins.values() if theme_id in active}
    for survivor, absorbed in run.match.merges.items():
        for old_id in absorbed:
            if not isinstance(old_id, int) or old_id not in active or old_id in kept_by_pins:
                continue
            if survivor in ids_of:
                # Rows past retention were not clustered: they follow the merge.
                session.execute(
                    update(PainPoint)
                    .where(PainPoint.theme_id == old_id, PainPoint.text_removed_at.is_not(None))
                    .values(theme_id=ids_of[survivor])
                )
                follow_merge(session, old_id, ids_of[survivor])
            detail = {"into": ids_of.get(survivor)}
            session.add(
                ThemeEvent(theme_id=old_id, kind="merged", detail=detail, created_at=run.now)
            )
    for old_id, split_off in run.match.splits.items():
        for new_id in split_off:
            if new_id in ids_of:
                session.add(
                    ThemeEvent(
                        theme_id=ids_of[new_id],
                        kind="split",
                        detail={"from": old_id},
                        created_at=run.now,
                    )
                )


def _final_assignments(
    run: Run, theme_for_label: dict[int, int], active: dict[int, Theme]
) -> dict[int, int | None]:
    """The engine's theme for each item, unless a manager pinned it elsewhere."""
    final: dict[int, int | None] = {}
    for item_id, label in zip(run.item_ids, run.result.labels.tolist(), strict=True):
        pinned = run.pins.get(item_id)
        if pinned is not None and pinned in active:
            final[item_id] = pinned
        else:
            final[item_id] = theme_for_label.get(int(label))
    return final


def _assign(session: Session, item_ids: list[int], members: dict[int, list[int]]) -> None:
    for start in range(0, len(item_ids), 900):
        session.execute(
            update(PainPoint)
            .where(PainPoint.id.in_(item_ids[start : start + 900]))
            .values(theme_id=None)
        )
    for theme_id, ids in members.items():
        for start in range(0, len(ids), 900):
            session.execute(
                update(PainPoint)
                .where(PainPoint.id.in_(ids[start : start + 900]))
                .values(theme_id=theme_id)
            )
