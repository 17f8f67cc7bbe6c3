"""What managers may see about themes: summaries under the minimum-reporter rule.

Every surface a manager or a channel sees (digest, channel post, alert, report, chart, theme
export) reads themes through `ThemeInsights.report`, so the k rule lives in one place.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from bot.db.models import PainPoint, Theme, ThemeEvent
from bot.db.session import SessionFactory
from bot.domain.audit import AuditSections, ReportFact
from bot.domain.impact import impact_of
from bot.domain.lenses import effective_lens
from bot.domain.themes import (
    OTHER_TEAMS,
    PERIODS,
    QUOTES_PER_THEME,
    TREND_WINDOW_FOR_ALL,
    InsightReport,
    SliceTooSmall,
    StatusChange,
    ThemeSummary,
    is_spike,
    quoted_reports,
    weekly_counts,
)
from bot.domain.time import aware
from bot.services.audit import LessonMatches, build_audit
from bot.services.embeddings import from_bytes
from bot.services.pilot_kpis import running_pilots
from bot.services.retention import text_removed_until


@dataclass
class _Member:
    id: int
    text: str
    reporter: str
    category: str | None
    frequency: str | None
    team: str | None
    hours: float | None
    created_at: datetime
    embedding: bytes | None
    theme_id: int | None = None


QuotePicker = Callable[[Sequence[str], Sequence[str], np.ndarray | None], list[str]]


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def centre_quotes(
    texts: Sequence[str],
    reporters: Sequence[str],
    vectors: np.ndarray | None,
    limit: int = QUOTES_PER_THEME,
) -> list[str]:
    """Quotes closest to the theme's centre, one per reporter, never two near-identical ones."""
    order: list[int]
    if vectors is not None and len(vectors) == len(texts) and len(texts):
        centre = vectors.mean(axis=0)
        order = list(np.argsort(-(vectors @ centre)))
    else:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    chosen: list[str] = []
    seen_reporters: set[str] = set()
    seen_texts: list[set[str]] = []
    for index in order:
        words = set(_normal(texts[index]).split())
        if reporters[index] in seen_reporters or not words:
            continue
        if any(len(words & other) / max(len(words | other), 1) > 0.8 for other in seen_texts):
            continue
        chosen.append(texts[index])
        seen_reporters.add(reporters[index])
        seen_texts.append(words)
        if len(chosen) >= limit:
            break
    return chosen


class ThemeInsights:
    """Builds manager-facing theme summaries, enforcing the minimum-reporter rule."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        min_reporters: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        quote_picker: QuotePicker = centre_quotes,
        teams: Sequence[str] = (),
        lesson_matches: LessonMatches | None = None,
    ) -> None:
        self._session_factory = session_factory
        # Lessons matching each theme, so "Did training help?" counts lessons sent to all.
        self._lesson_matches = lesson_matches
        # Configured team names: the audit lists them even with fewer than k reporters.
        self.known_teams = tuple(teams)
        self.min_reporters = min_reporters
        self._clock = clock
        self._quote_picker = quote_picker

    def teams(self) -> list[str]:
        """Team names that appear on stored pain points."""
        with self._session_factory() as session:
            names = session.scalars(
                select(PainPoint.team).where(PainPoint.team.is_not(None)).distinct()
            ).all()
        return sorted(name for name in names if name)

    def teams_with_enough_reporters(self) -> list[str]:
        """Teams that a digest or report may be filtered by: at least k distinct reporters."""
        with self._session_factory() as session:
            rows = session.execute(
                select(PainPoint.team, func.count(distinct(PainPoint.reporter)))
                .where(PainPoint.team.is_not(None), PainPoint.pending_scrub.is_(False))
                .group_by(PainPoint.team)
            ).all()
        return sorted(team for team, people in rows if team and people >= self.min_reporters)

    def report(
        self,
        *,
        period: str = "30d",
        team: str | None = None,
        kind: str = "painpoint",
        with_history: bool = False,
        now: datetime | None = None,
    ) -> InsightReport:
        """Themes of the slice (period × team); raises SliceTooSmall below k reporters."""
        if period not in PERIODS:
            raise ValueError(f"unknown period {period!r}")
        now = now or self._clock()
        span = PERIODS[period]
        start = now - span if span else None
        trend_span = span or TREND_WINDOW_FOR_ALL

        with self._session_factory() as session:
            rows = _painpoint_rows(session, team)
            running = running_pilots(session)
            themes = _active_themes(session, kind)
            history = _status_history(session, list(themes)) if with_history and themes else {}

        all_members, in_slice = _members(rows, themes, start)
        slice_reporters = {member.reporter for member in in_slice}
        # An empty slice singles nobody out: it is reported as "no data", not refused.
        if (team is not None or span is not None) and 0 < len(slice_reporters) < self.min_reporters:
            raise SliceTooSmall(
                f"fewer than {self.min_reporters} people reported in this slice, so showing it "
                "could single someone out"
            )

        summaries, smaller, suppressed = self._summaries(
            themes, all_members, start, now, trend_span, history, running
        )
        unassigned = len(
            [m for m in all_members.get(None, []) if start is None or m.created_at >= start]
        )
        return InsightReport(
            period=period,
            team=team,
            min_reporters=self.min_reporters,
            generated_at=now,
            total_painpoints=len(in_slice),
            total_reporters=len(slice_reporters),
            # The sum of the shown themes' estimates: a total over everything would, minus
            # the shown parts, give away the hours of themes and people below k.
            total_hours_per_week=round(sum(s.hours_per_week for s in summaries), 1),
            themes=summaries,
            smaller_signals=smaller,
            suppressed_painpoints=suppressed,
            unassigned_painpoints=unassigned,
            categories=dict(Counter(m.category for m in in_slice if m.category)),
            audit=self._audit(in_slice, summaries, team, now) if with_history else None,
            text_removed_until=text_removed_until(self._session_factory),
        )

    def _summaries(
        self,
        themes: Mapping[int, Theme],
        all_members: Mapping[int | None, list[_Member]],
        start: datetime | None,
        now: datetime,
        trend_span: timedelta,
        history: dict[int, list[StatusChange]],
        running: dict[int, int],
    ) -> tuple[list[ThemeSummary], int, int]:
        """The themes shown, most people first, and how many themes and reports are held back
        for having fewer than k reporters in the period."""
        summaries: list[ThemeSummary] = []
        smaller = 0
        suppressed = 0
        for theme_id, theme in themes.items():
            members = all_members.get(theme_id, [])
            current = [m for m in members if start is None or m.created_at >= start]
            if not current:
                continue
            reporters = {m.reporter for m in current}
            if len(reporters) < self.min_reporters:
                smaller += 1
                suppressed += len(current)
                continue
            summaries.append(
                self._summary(theme, current, members, now, trend_span, history, running)
            )
        summaries.sort(key=lambda s: (-s.reporters, -s.size, s.id))
        return summaries, smaller, suppressed

    def _audit(
        self,
        in_slice: list[_Member],
        summaries: list[ThemeSummary],
        team: str | None,
        now: datetime,
    ) -> AuditSections:
        shown = {summary.id for summary in summaries}
        facts = [
            ReportFact(m.reporter, m.team, m.category, m.theme_id if m.theme_id in shown else None)
            for m in in_slice
        ]
        return build_audit(
            self._session_factory,
            facts=facts,
            themes=summaries,
            min_reporters=self.min_reporters,
            now=now,
            known_teams=self.known_teams if team is None else (),
            lesson_matches=self._lesson_matches,
        )

    def _summary(
        self,
        theme: Theme,
        current: list[_Member],
        members: list[_Member],
        now: datetime,
        trend_span: timedelta,
        history: dict[int, list[StatusChange]],
        running: dict[int, int],
    ) -> ThemeSummary:
        # Reports past retention have no text (nor vector) left: they count, but never quote.
        quotable = [m for m in current if m.text]
        vectors = None
        if quotable and all(m.embedding for m in quotable):
            vectors = np.vstack([from_bytes(bytes(m.embedding or b"")) for m in quotable])
        quotes = self._quote_picker(
            [m.text for m in quotable], [m.reporter for m in quotable], vectors
        )
        dates = [m.created_at for m in members]
        counts = weekly_counts(dates, now)
        impact = impact_of(
            [(m.reporter, m.hours, m.frequency) for m in current],
            min_reporters=self.min_reporters,
        )
        return ThemeSummary(
            id=theme.id,
            title=theme.title,
            keywords=list(theme.keywords or []),
            size=len(current),
            reporters=len({m.reporter for m in current}),
            quotes=quotes,
            quote_ids=quoted_reports(quotes, [(m.id, m.text) for m in quotable]),
            hours_per_week=impact.hours_per_week or 0.0,
            categories=dict(Counter(m.category for m in current if m.category)),
            frequencies=dict(Counter(m.frequency for m in current if m.frequency)),
            teams=self._teams(current),
            first_seen=min(dates),
            last_seen=max(dates),
            current_count=sum(1 for d in dates if d >= now - trend_span),
            previous_count=sum(1 for d in dates if now - 2 * trend_span <= d < now - trend_span),
            spike=is_spike(
                counts,
                reporters_this_week=len(
                    {m.reporter for m in members if now - m.created_at < timedelta(weeks=1)}
                ),
                min_reporters=self.min_reporters,
            ),
            weekly_counts=counts,
            status=theme.status,
            status_reason=theme.status_reason,
            history=history.get(theme.id, []),
            impact=impact,
            running_pilot=running.get(theme.id),
        )

    def _teams(self, current: list[_Member]) -> dict[str, int]:
        """Reports per team; a team with fewer than k of the theme's reporters is not named."""
        people: dict[str, set[str]] = defaultdict(set)
        for m in current:
            if m.team:
                people[m.team].add(m.reporter)
        counts = Counter(
            m.team if len(people[m.team]) >= self.min_reporters else OTHER_TEAMS
            for m in current
            if m.team
        )
        return dict(counts)


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _painpoint_rows(session: Session, team: str | None) -> Sequence[Any]:
    """Every stored report of the team (all teams when None) that may be seen."""
    query = select(
        PainPoint.id,
        PainPoint.text,
        PainPoint.reporter,
        PainPoint.category,
        PainPoint.lens,
        PainPoint.lens_source,
        PainPoint.frequency,
        PainPoint.team,
        PainPoint.hours_per_week,
        PainPoint.created_at,
        PainPoint.embedding,
        PainPoint.theme_id,
    )
    # Rows still sealed for the full scrub are nobody's to see yet.
    query = query.where(PainPoint.pending_scrub.is_(False))
    if team is not None:
        query = query.where(PainPoint.team == team)
    return session.execute(query).all()


def _active_themes(session: Session, kind: str) -> dict[int, Theme]:
    return {
        theme.id: theme
        for theme in session.scalars(
            select(Theme).where(Theme.kind == kind, Theme.active.is_(True))
        )
    }


def _status_history(session: Session, theme_ids: list[int]) -> dict[int, list[StatusChange]]:
    """Each theme's status changes, oldest first."""
    history: dict[int, list[StatusChange]] = defaultdict(list)
    for event in session.scalars(
        select(ThemeEvent)
        .where(ThemeEvent.theme_id.in_(theme_ids), ThemeEvent.kind == "status")
        .order_by(ThemeEvent.created_at, ThemeEvent.id)
    ):
        history[event.theme_id].append(
            StatusChange(
                status=str(event.detail.get("status")),
                reason=_optional_str(event.detail.get("reason")),
                actor=event.actor,
                at=aware(event.created_at),
            )
        )
    return history


def _members(
    rows: Sequence[Any], themes: Mapping[int, Theme], start: datetime | None
) -> tuple[dict[int | None, list[_Member]], list[_Member]]:
    """Reports by shown theme (None: in no active theme), and those in the period."""
    all_members: dict[int | None, list[_Member]] = defaultdict(list)
    in_slice: list[_Member] = []
    for row in rows:
        theme_id = row.theme_id if row.theme_id in themes else None
        member = _Member(
            id=row.id,
            text=row.text,
            reporter=row.reporter,
            # Every surface counts a report under its audit lens (bot.domain.lenses).
            category=effective_lens(row.category, row.lens, row.lens_source)[0],
            frequency=row.frequency,
            team=row.team,
            hours=row.hours_per_week,
            created_at=aware(row.created_at),
            embedding=row.embedding,
            theme_id=theme_id,
        )
        all_members[theme_id].append(member)
        if start is None or member.created_at >= start:
            in_slice.append(member)
    return all_members, in_slice
