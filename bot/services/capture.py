"""Recording pain points: validation, scrubbing, pseudonyms, dedupe and rate limits.

Text goes through the fast scrub (patterns and checksums) before anything is stored, and is
then stored sealed until the privacy step has run the full scrub (names, addresses) on it;
see `bot.services.privacy`. The reporter's own views open the seal; nobody else sees the row
until it is clean.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
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
from bot.privacy.pseudonym import reporter_pseudonym
from bot.privacy.scrub import Scrubber, default_scrubber
from bot.privacy.seal import Sealer
from bot.services.capture_batch import WITH_SEALED, BatchStore, Pending, to_view
from bot.services.group_commit import GroupCommit


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
        self._batches = BatchStore(
            session_factory, limits=self.limits, sealer=self._sealer, clean_team=self._clean_team
        )
        self._writer: GroupCommit[Pending, CaptureResult] = GroupCommit(
            self._batches.store, name="painpoint-capture-writer"
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
        pending = Pending(
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
            row = _own(session, reporter, painpoint_id, for_update=True)
            if row is None:
                return CaptureResult(Outcome.NOT_FOUND)
            if row.text_removed_at is not None:
                # Retention passes over a row once: new text here would be kept for good.
                return CaptureResult(Outcome.EXPIRED)
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
                    # Locked: the privacy step may be finishing this row right now, and a
                    # stale read would seal the detail into a row it no longer looks at.
                    row = session.scalars(
                        select(PainPoint)
                        .where(PainPoint.reporter == reporter, PainPoint.thread_ts == thread_ts)
                        .with_for_update()
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
                .options(WITH_SEALED)
            ).all()
            # A report's status is its theme's (set by managers); "received" until it has one.
            return [to_view(row, status or "received", self._sealer) for row, status in rows]


def _forget_embedding(row: PainPoint) -> None:
    # The text changed, so its vector is stale; the background worker embeds it again.
    row.embedding = None
    row.embedding_model = None


def _own(
    session: Session, reporter: str, painpoint_id: int, *, for_update: bool = False
) -> PainPoint | None:
    query = (
        select(PainPoint)
        .where(PainPoint.id == painpoint_id, PainPoint.reporter == reporter)
        .options(WITH_SEALED)
    )
    return session.scalars(query.with_for_update() if for_update else query).first()
