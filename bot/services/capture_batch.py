"""The capture writer's batches: replays, repeats and the hourly limit checked for a whole
batch in two queries, and its reports stored with one INSERT … RETURNING."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, undefer

from bot.db.models import PainPoint, SlackEvent
from bot.db.session import SessionFactory, writer_lock
from bot.domain.capture import (
    CaptureLimits,
    CaptureResult,
    Outcome,
    PainPointInput,
    PainPointView,
)
from bot.domain.time import aware
from bot.privacy.seal import Sealer

# Load the sealed text with the row: loaded later, it may already be cleared by the privacy step
# while the row still says "pending", and the reporter would see an empty report.
WITH_SEALED = undefer(PainPoint.sealed)


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


class BatchStore:
    """Writes batches of scrubbed, sealed reports (run by the capture's group commit)."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        limits: CaptureLimits,
        sealer: Sealer,
        clean_team: Callable[[str | None], str | None],
    ) -> None:
        self._session_factory = session_factory
        self.limits = limits
        self._sealer = sealer
        self._clean_team = clean_team

    def store(self, batch: Sequence[Pending]) -> list[CaptureResult | Exception]:
        """Store a batch in one transaction; one by one when that fails, so that one bad item
        (an event id another process won, a value the database refuses) fails on its own."""
        try:
            return list(self.store_together(batch))
        except IntegrityError:
            pass  # an event id claimed meanwhile, perhaps by this batch's only item: see below
        except StatementError:
            if len(batch) == 1:
                raise
        results: list[CaptureResult | Exception] = []
        for pending in batch:
            try:
                results.extend(self.store_together([pending]))
            except IntegrityError:
                # A concurrent process stored this event id between our check and our insert.
                results.append(CaptureResult(Outcome.REPLAYED))
            except StatementError as exc:
                results.append(exc)
        return results

    def store_together(self, batch: Sequence[Pending]) -> list[CaptureResult]:
        """Write the batch in one transaction; each item gets the outcome it would alone."""
        results: list[CaptureResult | None] = [None] * len(batch)
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            claimed = self._claimed_events(session, batch)
            history = self._history(session, batch)
            new_events: list[dict[str, object]] = []
            new_rows: list[int] = []
            repeats: dict[int, Seen] = {}
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
                seen.append(Seen(None, index, pending.fingerprint, pending.received_at))
            if new_events:
                session.execute(insert(SlackEvent), new_events)
            views: dict[int, PainPointView] = {}
            if new_rows:
                values = [row_values(batch[index], self._clean_team) for index in new_rows]
                ids = session.scalars(
                    insert(PainPoint).returning(PainPoint.id, sort_by_parameter_order=True),
                    values,
                ).all()
                for index, row_id, row in zip(new_rows, ids, values, strict=True):
                    views[index] = new_view(row_id, row, batch[index].text)
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
        rows = session.scalars(
            select(PainPoint).where(PainPoint.id.in_(row_ids)).options(WITH_SEALED)
        )
        return {row.id: to_view(row, sealer=self._sealer) for row in rows}

    def _claimed_events(self, session: Session, batch: Sequence[Pending]) -> set[str]:
        event_ids = {pending.event_id for pending in batch if pending.event_id is not None}
        if not event_ids:
            return set()
        return set(
            session.scalars(select(SlackEvent.event_id).where(SlackEvent.event_id.in_(event_ids)))
        )

    def _history(self, session: Session, batch: Sequence[Pending]) -> dict[str, list[Seen]]:
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
        history: dict[str, list[Seen]] = {}
        for row_id, reporter, text_hash, created_at in rows:
            history.setdefault(reporter, []).append(
                Seen(row_id, None, text_hash, aware(created_at))
            )
        return history

    def _repeat_of(self, pending: Pending, seen: list[Seen]) -> Seen | None:
        """The reporter's earliest report of the same text inside the duplicate window."""
        window_start = pending.received_at - self.limits.duplicate_window
        for item in seen:
            if item.fingerprint == pending.fingerprint and item.created_at >= window_start:
                return item
        return None


@dataclass(frozen=True)
class Pending:
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
class Seen:
    """A recent report of one reporter: stored (`row_id`) or earlier in this batch."""

    row_id: int | None
    batch_index: int | None
    fingerprint: str
    created_at: datetime


def row_values(pending: Pending, clean_team: Callable[[str | None], str | None]) -> dict[str, Any]:
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


def new_view(row_id: int, values: dict[str, Any], text: str) -> PainPointView:
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
