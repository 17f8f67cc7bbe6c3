"""Test data for the insight surfaces: Theme rows with pain points, and ThemeSummary objects.

Themes normally come from the clustering engine; here they are written directly, with
control over distinct reporters, dates, teams, categories, hours and who asked to be kept
posted, so each test states exactly which side of the minimum-reporter rule a theme is on.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from bot.db.models import PainPoint, Theme
from bot.db.session import SessionFactory
from bot.domain.themes import InsightReport, ThemeSummary
from bot.services.embeddings import to_bytes

WORDS = (
    "again",
    "every",
    "monday",
    "manual",
    "slow",
    "copying",
    "waiting",
    "twice",
    "broken",
    "lost",
    "hours",
    "approval",
)
_serial = itertools.count(1)


@dataclass
class Seeded:
    """What `seed_theme` wrote."""

    theme_id: int
    title: str
    reporters: list[str]
    painpoint_ids: list[int] = field(default_factory=list)


def add_painpoint(
    session_factory: SessionFactory,
    *,
    text: str,
    reporter: str,
    theme_id: int | None = None,
    created_at: datetime | None = None,
    team: str | None = None,
    category: str | None = None,
    frequency: str | None = None,
    hours: float | None = None,
    notify_user_id: str | None = None,
    embedding: np.ndarray | None = None,
) -> int:
    """One stored pain point; returns its id."""
    with session_factory() as session, session.begin():
        row = PainPoint(
            text=text,
            text_hash=hashlib.sha256(f"{text}{next(_serial)}".encode()).hexdigest(),
            source="slash",
            category=category,
            frequency=frequency,
            hours_per_week=hours,
            team=team,
            reporter=reporter,
            notify_user_id=notify_user_id,
            keep_posted=notify_user_id is not None,
            created_at=created_at or datetime.now(UTC),
            embedding=None if embedding is None else to_bytes(embedding),
            embedding_model=None if embedding is None else "test-vectors",
            theme_id=theme_id,
        )
        session.add(row)
        session.flush()
        return row.id


def add_theme(
    session_factory: SessionFactory,
    title: str,
    *,
    keywords: Sequence[str] = (),
    status: str = "new",
    status_reason: str | None = None,
    kind: str = "painpoint",
    active: bool = True,
) -> int:
    """An empty Theme row; returns its id."""
    with session_factory() as session, session.begin():
        theme = Theme(
            kind=kind,
            title=title,
            keywords=list(keywords),
            status=status,
            status_reason=status_reason,
            active=active,
        )
        session.add(theme)
        session.flush()
        return theme.id


def seed_theme(
    session_factory: SessionFactory,
    title: str,
    *,
    reporters: int | Sequence[str] = 3,
    reports_per_reporter: int = 1,
    days_ago: float | Sequence[float] = 1.0,
    now: datetime | None = None,
    team: str | Sequence[str | None] | None = None,
    category: str | Sequence[str | None] | None = None,
    frequency: str | None = None,
    hours: float | None = None,
    keep_posted: Mapping[str, str] | None = None,
    keywords: Sequence[str] | None = None,
    status: str = "new",
    kind: str = "painpoint",
    embeddings: bool = False,
    theme_id: int | None = None,
) -> Seeded:
    """A theme with `reporters` distinct people, each filing `reports_per_reporter` reports.

    Sequences (`days_ago`, `team`, `category`) are used in turn, one item per report.
    `keep_posted` maps a reporter pseudonym to the Slack id that asked to be kept posted.
    Every report's text starts with the title, so a leaked quote also leaks the title.
    """
    now = now or datetime.now(UTC)
    if isinstance(reporters, int):
        slug = "".join(ch for ch in title.lower() if ch.isalnum())[:20]
        people = [f"r-{slug}-{next(_serial)}" for _ in range(reporters)]
    else:
        people = list(reporters)
    if theme_id is None:
        theme_id = add_theme(
            session_factory,
            title,
            keywords=keywords if keywords is not None else title.lower().split()[:4],
            status=status,
            kind=kind,
        )
    seeded = Seeded(theme_id=theme_id, title=title, reporters=people)
    rng = np.random.default_rng(theme_id)
    centre = rng.normal(size=16)

    def pick(value: Any, index: int) -> Any:
        if isinstance(value, Sequence) and not isinstance(value, str):
            return value[index % len(value)]
        return value

    index = 0
    for person in people:
        for _ in range(reports_per_reporter):
            age = float(pick(days_ago, index))
            text = f"{title}: {WORDS[index % len(WORDS)]} {WORDS[(index * 7 + 3) % len(WORDS)]} #{index}"
            seeded.painpoint_ids.append(
                add_painpoint(
                    session_factory,
                    text=text,
                    reporter=person,
                    theme_id=theme_id,
                    created_at=now - timedelta(days=age),
                    team=pick(team, index),
                    category=pick(category, index),
                    frequency=frequency,
                    hours=hours,
                    notify_user_id=(keep_posted or {}).get(person),
                    embedding=centre + rng.normal(scale=0.1, size=16) if embeddings else None,
                )
            )
            index += 1
    return seeded


# --- ThemeSummary objects, for the pure builders -----------------------------------------


def summary(
    theme_id: int = 1,
    *,
    title: str | None = None,
    quotes: Sequence[str] | None = None,
    keywords: Sequence[str] | None = None,
    reporters: int = 4,
    size: int = 7,
    status: str = "new",
    status_reason: str | None = None,
    weekly: Sequence[int] | None = None,
    spike: bool = False,
    category: str | None = "workflow_bottleneck",
    team: str = "Finance",
    now: datetime | None = None,
) -> ThemeSummary:
    """A ThemeSummary as ThemeInsights would build it for a theme that passes the k rule."""
    now = now or datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return ThemeSummary(
        id=theme_id,
        title=title if title is not None else f"Theme number {theme_id}",
        keywords=list(keywords if keywords is not None else ["invoice", "manual", "copy"]),
        size=size,
        reporters=reporters,
        quotes=list(
            quotes
            if quotes is not None
            else [f"quote one of {theme_id}", f"quote two of {theme_id}", f"third {theme_id}"]
        ),
        hours_per_week=12.5,
        categories={category: size} if category else {},
        frequencies={"weekly": size},
        teams={team: size},
        first_seen=now - timedelta(days=40),
        last_seen=now - timedelta(days=1),
        current_count=size,
        previous_count=max(size - 2, 0),
        spike=spike,
        weekly_counts=list(weekly if weekly is not None else [0] * 8 + [1, 2, 1, 3]),
        status=status,
        status_reason=status_reason,
    )


def insight_report(
    themes: Sequence[ThemeSummary],
    *,
    period: str = "30d",
    team: str | None = None,
    smaller_signals: int = 0,
    suppressed: int = 0,
    total: int | None = None,
    min_reporters: int = 3,
    unassigned: int = 0,
) -> InsightReport:
    """An InsightReport around given summaries."""
    size = sum(t.size for t in themes)
    return InsightReport(
        period=period,
        team=team,
        min_reporters=min_reporters,
        generated_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        total_painpoints=total if total is not None else size + suppressed,
        total_reporters=sum(t.reporters for t in themes) + smaller_signals,
        total_hours_per_week=sum(t.hours_per_week for t in themes),
        themes=list(themes),
        smaller_signals=smaller_signals,
        suppressed_painpoints=suppressed,
        unassigned_painpoints=unassigned,
        categories={"workflow_bottleneck": size},
    )
