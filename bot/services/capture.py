"""Recording pain points: validation, scrubbing, pseudonyms, dedupe and rate limits.

Text goes through the fast scrub (patterns and checksums) before anything is stored, and is
then stored sealed until the privacy step has run the full scrub (names, addresses) on it;
see `bot.services.privacy`. The reporter's own views open the seal; nobody else sees the row
until it is clean.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import PainPoint, SlackEvent, Theme
from bot.db.session import SessionFactory, writer_lock
from bot.domain.capture import (
    MAX_DETAILS_LENGTH,
    CaptureLimits,
    CaptureResult,
    Outcome,
    PainPointInput,
    PainPointView,
    text_fingerprint,
)
from bot.domain.text import storable
from bot.domain.time import aware
from bot.privacy.pseudonym import reporter_pseudonym
from bot.privacy.scrub import Scrubber, default_scrubber
from bot.privacy.seal import Sealer
from bot.services.group_commit import GroupCommit


def to_view(
    row: PainPoint, status: str = "received", sealer: Sealer | None = None
) -> PainPointView:
    """The reporter-facing view of a stored row (text still sealed is opened for them)."""
    text, details = row.text, row.details
    if row.pending_scrub and row.sealed and sealer is not None:
        waiting = sealer.open(row.sealed)
        text = waiting.get("text") or text
        extra = "\n".join(waiting.get("details") or [])
        details = f"{details}\n{extra}" if details and extra else (details or extra or None)
    return PainPointView(
        id=row.id,
        text=text,
        details=details,
        source=row.source,
        category=row.category,
        frequency=row.frequency,
        hours_per_week=row.hours_per_week,
        team=row.team,
        keep_posted=row.keep_posted,
        created_at=aware(row.created_at),
        status=status,
    )


class CaptureService:
    """Records, amends, lists and erases a reporter's pain points."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        secret_key: str,
        limits: CaptureLimits | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_recorded: Callable[[int], object] | None = None,
        scrubber: Scrubber | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._secret_key = secret_key
        self._scrubber = scrubber or default_scrubber()
        self._sealer = Sealer(secret_key)
        self.limits = limits or CaptureLimits()
        self._clock = clock
        self.on_recorded = on_recorded
        self._writing = writer_lock(session_factory)
        self._writer: GroupCommit[_Pending, CaptureResult] = GroupCommit(
            self._store, name="painpoint-capture-writer"
        )

    def pseudonym(self, team_id: str, user_id: str) -> str:
        """The stored reporter pseudonym for a Slack user."""
        return reporter_pseudonym(self._secret_key, team_id, user_id)

    def check_text(self, text: str) -> Outcome | None:
        """EMPTY or TOO_LONG when the raw text cannot be recorded, else None."""
        if not text or not text.strip():
            return Outcome.EMPTY
        if len(text) > self.limits.max_text_length:
            return Outcome.TOO_LONG
        return None

    def record(
        self,
        *,
        team_id: str,
        user_id: str,
        submission: PainPointInput,
        thread_ts: str | None = None,
        event_id: str | None = None,
    ) -> CaptureResult:
        """Store a new pain point unless it is empty, too long, a repeat, a replay or a flood.

        Concurrent reports are written together (see `GroupCommit`); each caller still gets
        its own outcome, exactly as if the reports had been stored one after another.
        """
        submission = replace(submission, text=storable(submission.text))
        problem = self.check_text(submission.text)
        if problem is not None:
            return self._refuse(problem, event_id)
        text = self._scrubber.fast(submission.text.strip())
        pending = _Pending(
            reporter=self.pseudonym(team_id, user_id),
            user_id=user_id,
            text=text,
            sealed=self._sealer.seal({"text": text}),
            fingerprint=text_fingerprint(text),
            submission=submission,
            thread_ts=thread_ts,
            event_id=event_id,
            received_at=self._clock(),
        )
        result = self._writer.submit(pending)
        if result.outcome is Outcome.RECORDED and result.painpoint and self.on_recorded:
            self.on_recorded(result.painpoint.id)
        return result

    def _refuse(self, problem: Outcome, event_id: str | None) -> CaptureResult:
        """A refusal, given once per Slack event: a retry of the same delivery is a replay."""
        if event_id is None:
            return CaptureResult(problem)
        with self._writing, self._session_factory() as session:
            try:
                with session.begin():
                    session.add(SlackEvent(event_id=event_id, received_at=self._clock()))
            except IntegrityError:
                return CaptureResult(Outcome.REPLAYED)
        return CaptureResult(problem)

    def _store(self, batch: Sequence[_Pending]) -> list[CaptureResult | Exception]:
        """Store a batch in one transaction; one by one when that fails, so that one bad item
        (an event id another process won, a value the database refuses) fails on its own."""
        try:
            return list(self._store_together(batch))
        except DBAPIError:
            if len(batch) == 1:
                raise
        results: list[CaptureResult | Exception] = []
        for pending in batch:
            try:
                results.extend(self._store_together([pending]))
            except IntegrityError:
                # A concurrent process stored this event id between our check and our insert.
                results.append(CaptureResult(Outcome.REPLAYED))
            except DBAPIError as exc:
                results.append(exc)
        return results

    def _store_together(self, batch: Sequence[_Pending]) -> list[CaptureResult]:
        results: list[CaptureResult | None] = [None] * len(batch)
        with self._writing, self._session_factory() as session, session.begin():
            claimed = self._claimed_events(session, batch)
            history = self._history(session, batch)
            new_events: list[dict[str, object]] = []
            new_rows: list[int] = []
            repeats: dict[int, _Seen] = {}
            for index, pending in enumerate(batch):
                if pending.event_id is not None:
                    if pending.event_id in claimed:
                        results[index] = CaptureResult(Outcome.REPLAYED)
                        continue
                    claimed.add(pending.event_id)
                    new_events.append(
                        {"event_id": pending.event_id, "received_at": pending.received_at}
                    )
                seen = history.setdefault(pending.reporter, [])
                repeat = self._repeat_of(pending, seen)
                if repeat is not None:
                    repeats[index] = repeat
                    continue
                hour_ago = pending.received_at - timedelta(hours=1)
                if sum(1 for item in seen if item.created_at >= hour_ago) >= self.limits.per_hour:
                    results[index] = CaptureResult(Outcome.RATE_LIMITED)
                    continue
                new_rows.append(index)
                seen.append(_Seen(None, index, pending.fingerprint, pending.received_at))
            if new_events:
                session.execute(insert(SlackEvent), new_events)
            views: dict[int, PainPointView] = {}
            if new_rows:
                values = [_row_values(batch[index], self._clean_team) for index in new_rows]
                ids = session.scalars(
                    insert(PainPoint).returning(PainPoint.id, sort_by_parameter_order=True),
                    values,
                ).all()
                for index, row_id, row in zip(new_rows, ids, values, strict=True):
                    views[index] = _new_view(row_id, row, batch[index].text)
                    results[index] = CaptureResult(Outcome.RECORDED, views[index])
            stored = self._views_of(
                session, [seen.row_id for seen in repeats.values() if seen.row_id is not None]
            )
            for index, repeat in repeats.items():
                if repeat.row_id is not None:
                    original = stored[repeat.row_id]
                else:
                    assert repeat.batch_index is not None
                    original = views[repeat.batch_index]
                results[index] = CaptureResult(Outcome.DUPLICATE, original)
        return [result for result in results if result is not None]

    def _views_of(self, session: Session, row_ids: list[int]) -> dict[int, PainPointView]:
        if not row_ids:
            return {}
        rows = session.scalars(select(PainPoint).where(PainPoint.id.in_(row_ids)))
        return {row.id: to_view(row, sealer=self._sealer) for row in rows}

    def _claimed_events(self, session: Session, batch: Sequence[_Pending]) -> set[str]:
        event_ids = {pending.event_id for pending in batch if pending.event_id is not None}
        if not event_ids:
            return set()
        return set(
            session.scalars(select(SlackEvent.event_id).where(SlackEvent.event_id.in_(event_ids)))
        )

    def _history(self, session: Session, batch: Sequence[_Pending]) -> dict[str, list[_Seen]]:
        """One query for the batch: each reporter's reports recent enough to matter."""
        reach = max(self.limits.duplicate_window, timedelta(hours=1))
        since = min(pending.received_at for pending in batch) - reach
        rows = session.execute(
            select(PainPoint.id, PainPoint.reporter, PainPoint.text_hash, PainPoint.created_at)
            .where(
                PainPoint.reporter.in_({pending.reporter for pending in batch}),
                PainPoint.created_at >= since,
            )
            .order_by(PainPoint.id)
        )
        history: dict[str, list[_Seen]] = {}
        for row_id, reporter, text_hash, created_at in rows:
            history.setdefault(reporter, []).append(
                _Seen(row_id, None, text_hash, aware(created_at))
            )
        return history

    def _repeat_of(self, pending: _Pending, seen: list[_Seen]) -> _Seen | None:
        """The reporter's earliest report of the same text inside the duplicate window."""
        window_start = pending.received_at - self.limits.duplicate_window
        for item in seen:
            if item.fingerprint == pending.fingerprint and item.created_at >= window_start:
                return item
        return None

    def amend(
        self, *, team_id: str, user_id: str, painpoint_id: int, submission: PainPointInput
    ) -> CaptureResult:
        """Replace the fields of the reporter's own pain point (the "Add details" modal)."""
        submission = replace(submission, text=storable(submission.text))
        problem = self.check_text(submission.text)
        if problem is not None:
            return CaptureResult(problem)
        reporter = self.pseudonym(team_id, user_id)
        text = self._scrubber.fast(submission.text.strip())
        with self._writing, self._session_factory() as session, session.begin():
            row = _own(session, reporter, painpoint_id)
            if row is None:
                return CaptureResult(Outcome.NOT_FOUND)
            self._seal(row, text=text)
            row.text_hash = text_fingerprint(text)
            row.category = submission.category
            row.frequency = submission.frequency
            row.hours_per_week = submission.hours_per_week
            row.team = self._clean_team(submission.team)
            row.keep_posted = submission.keep_posted
            row.notify_user_id = user_id if submission.keep_posted else None
            row.updated_at = self._clock()
            _forget_embedding(row)
            session.flush()
            view = to_view(row, sealer=self._sealer)
        if self.on_recorded is not None:
            self.on_recorded(view.id)
        return CaptureResult(Outcome.UPDATED, view)

    def _seal(self, row: PainPoint, *, text: str | None = None, detail: str | None = None) -> None:
        """Add text waiting for the full scrub to the row's sealed payload."""
        waiting = self._sealer.open(row.sealed) if row.pending_scrub and row.sealed else {}
        if text is not None:
            waiting["text"] = text
        if detail is not None:
            waiting["details"] = [*(waiting.get("details") or []), detail]
        row.sealed = self._sealer.seal(waiting)
        row.pending_scrub = True

    def _clean_team(self, team: str | None) -> str | None:
        if team is None:
            return None
        cleaned = self._scrubber.fast(re.sub(r"\s+", " ", team).strip())[:80]
        return cleaned or None

    def add_detail(
        self, *, team_id: str, user_id: str, thread_ts: str, text: str, event_id: str | None
    ) -> CaptureResult:
        """Append a thread reply to the pain point its thread started; NOT_FOUND if none."""
        text = storable(text)
        problem = self.check_text(text)
        if problem is not None:
            return self._refuse(problem, event_id)
        reporter = self.pseudonym(team_id, user_id)
        detail = self._scrubber.fast(text.strip())
        with self._writing, self._session_factory() as session:
            try:
                with session.begin():
                    row = session.scalars(
                        select(PainPoint).where(
                            PainPoint.reporter == reporter, PainPoint.thread_ts == thread_ts
                        )
                    ).first()
                    if row is None:
                        # Leave the event id unclaimed: the caller records the reply as a
                        # new pain point under the same event id.
                        return CaptureResult(Outcome.NOT_FOUND)
                    if event_id is not None:
                        session.add(SlackEvent(event_id=event_id, received_at=self._clock()))
                        session.flush()
                    so_far = to_view(row, sealer=self._sealer).details or ""
                    if len(so_far) + len(detail) + 1 > MAX_DETAILS_LENGTH:
                        return CaptureResult(Outcome.TOO_LONG, to_view(row, sealer=self._sealer))
                    self._seal(row, detail=detail)
                    row.updated_at = self._clock()
                    _forget_embedding(row)
                    session.flush()
                    view = to_view(row, sealer=self._sealer)
            except IntegrityError:
                return CaptureResult(Outcome.REPLAYED)
        if self.on_recorded is not None:
            self.on_recorded(view.id)
        return CaptureResult(Outcome.UPDATED, view)

    def delete(self, *, team_id: str, user_id: str, painpoint_id: int) -> bool:
        """Erase the reporter's own pain point; False when it is not theirs or not there."""
        reporter = self.pseudonym(team_id, user_id)
        with self._writing, self._session_factory() as session, session.begin():
            result = session.execute(
                delete(PainPoint).where(
                    PainPoint.id == painpoint_id, PainPoint.reporter == reporter
                )
            )
            return bool(getattr(result, "rowcount", 0))

    def get_own(self, *, team_id: str, user_id: str, painpoint_id: int) -> PainPointView | None:
        """The reporter's own pain point, or None."""
        reporter = self.pseudonym(team_id, user_id)
        with self._session_factory() as session:
            row = _own(session, reporter, painpoint_id)
            return to_view(row, sealer=self._sealer) if row is not None else None

    def list_mine(self, *, team_id: str, user_id: str, limit: int = 10) -> list[PainPointView]:
        """The reporter's most recent pain points, newest first."""
        reporter = self.pseudonym(team_id, user_id)
        with self._session_factory() as session:
            rows = session.execute(
                select(PainPoint, Theme.status)
                .outerjoin(Theme, (Theme.id == PainPoint.theme_id) & Theme.active.is_(True))
                .where(PainPoint.reporter == reporter)
                .order_by(PainPoint.created_at.desc(), PainPoint.id.desc())
                .limit(limit)
            ).all()
            # A report's status is its theme's (set by managers); "received" until it has one.
            return [to_view(row, status or "received", self._sealer) for row, status in rows]


@dataclass(frozen=True)
class _Pending:
    """A scrubbed report waiting for its batch to be written."""

    reporter: str
    user_id: str
    text: str  # after the fast scrub; only ever stored sealed
    sealed: bytes
    fingerprint: str
    submission: PainPointInput
    thread_ts: str | None
    event_id: str | None
    received_at: datetime


@dataclass(frozen=True)
class _Seen:
    """A recent report of one reporter: stored (`row_id`) or earlier in this batch."""

    row_id: int | None
    batch_index: int | None
    fingerprint: str
    created_at: datetime


def _row_values(
    pending: _Pending, clean_team: Callable[[str | None], str | None]
) -> dict[str, Any]:
    submission = pending.submission
    return {
        # The row carries no readable text until the privacy step has run the full scrub.
        "text": "",
        "sealed": pending.sealed,
        "pending_scrub": True,
        "text_hash": pending.fingerprint,
        "source": submission.source,
        "category": submission.category,
        "frequency": submission.frequency,
        "hours_per_week": submission.hours_per_week,
        "team": clean_team(submission.team),
        "reporter": pending.reporter,
        "keep_posted": submission.keep_posted,
        "notify_user_id": pending.user_id if submission.keep_posted else None,
        "thread_ts": pending.thread_ts,
        "created_at": pending.received_at,
        "updated_at": pending.received_at,
    }


def _new_view(row_id: int, values: dict[str, Any], text: str) -> PainPointView:
    return PainPointView(
        id=row_id,
        text=text,
        details=None,
        source=values["source"],
        category=values["category"],
        frequency=values["frequency"],
        hours_per_week=values["hours_per_week"],
        team=values["team"],
        keep_posted=values["keep_posted"],
        created_at=values["created_at"],
    )


def _forget_embedding(row: PainPoint) -> None:
    # The text changed, so its vector is stale; the background worker embeds it again.
    row.embedding = None
    row.embedding_model = None


def _own(session: Session, reporter: str, painpoint_id: int) -> PainPoint | None:
    return session.scalars(
        select(PainPoint).where(PainPoint.id == painpoint_id, PainPoint.reporter == reporter)
    ).first()
