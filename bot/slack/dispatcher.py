"""Sending the outbox: every delivery reaches its recipient exactly once, crashes included.

How a delivery moves:

    pending ──claim──▶ sending ──chat.postMessage ok──▶ sent
       ▲                 │ 429 / refused before sending ──▶ pending (tried again later)
       │                 │ permanent error ──────────────▶ failed (never retried)
       │                 └ timeout, 5xx, crash ──────────▶ stays `sending`: verify, then resend
    paused / cancelled ──▶ skipped / cancelled (checked in the claiming UPDATE itself)

The crash window. Between Slack accepting `chat.postMessage` and our UPDATE to `sent`, the
process can die (or the network can drop the answer). A plain retry would then send the nudge
twice; giving up would lose it. So:

1. Before the call the delivery is marked `sending` in its own committed transaction, with the
   DM channel it goes to. A pending delivery is therefore known *never* to have been posted.
2. Every nudge carries message metadata (`event_type: painpoint_nudge`, payload with the
   delivery id). Metadata is stored by Slack atomically with the message.
3. A delivery found in `sending` (after a restart, a takeover of the lease, or an answer we
   could not read) is never simply resent: the dispatcher first reads the recent history of
   that DM channel (conversations.history, with metadata) and looks for a message carrying its
   delivery id. Found → it is recorded as sent, with that message's ts. Not found → it was
   never posted, and it is sent now.

Only one process dispatches (bot.jobs.lease), and it starts no send it could not finish
before its lease runs out, so a successor never verifies while a predecessor's call is still
in flight. The rows' reads and state changes are bot.slack.outbox.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.ids import EVENT_TYPE
from bot.blocks.nudge import nudge_message, nudge_metadata
from bot.db.session import SessionFactory
from bot.domain.lessons import Lesson, Library
from bot.slack.gate import (
    Failure,
    GateStopped,
    SlackCallError,
    SlackGate,
    Verdict,
    backoff,
    classify,
)
from bot.slack.outbox import OutboxStore, Task, due_or_stale, sending_ready
from bot.slack.recipients import RecipientDirectory

# Renders outbox deliveries that are not lessons (a pilot's pulse, start and close DMs):
# (delivery id, lesson id) → (text, blocks), or None when the delivery is a lesson.
Message = tuple[str, list[dict[str, Any]]]
Messages = Callable[[int, str], Message | None]

logger = logging.getLogger(__name__)
POST = "chat.postMessage"
# An answer that may hide a posted message is checked no sooner than this: Slack may still be
# finishing the request we gave up waiting for.
VERIFY_DELAY = timedelta(seconds=30)
HISTORY_WINDOW = timedelta(minutes=10)
HISTORY_PAGES = 5


@dataclass
class DispatchReport:
    """Counts from one dispatch pass."""

    claimed: int = 0
    sent: int = 0
    verified: int = 0  # found already posted in the DM history; not sent again
    failed: int = 0
    skipped: int = 0
    cancelled: int = 0
    rate_limited: int = 0
    retried: int = 0
    uncertain: int = 0
    stopped: int = 0

    def add(self, other: DispatchReport) -> None:
        """Accumulate another report into this one."""
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


class Dispatcher:
    """Claims due deliveries and sends them through a small pool of threads."""

    def __init__(
        self,
        session_factory: SessionFactory,
        client: WebClient,
        gate: SlackGate,
        recipients: RecipientDirectory,
        library: Library,
        *,
        holder: str = "dispatcher",
        max_attempts: int = 6,
        threads: int = 4,
        lease_left: Callable[[], float] = lambda: float("inf"),
        call_timeout: float = 10.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        messages: Messages | None = None,
    ) -> None:
        self._outbox = OutboxStore(session_factory, library, holder=holder, clock=clock)
        self._messages = messages
        self._client = client
        self._gate = gate
        self._recipients = recipients
        self._library = library
        self._max_attempts = max_attempts
        self._lease_left = lease_left
        # A send needs this much lease left: the call's timeout plus a margin.
        self._needed = call_timeout + 1.0
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="painpoint-nudge")
        self._stop = threading.Event()
        # About five seconds of sending per pass, so the worker loop comes back often enough
        # to pick up new campaigns and renewals without paying a query per message.
        rate = 1.0 / gate.interval
        self.batch_size = min(max(int(rate * 5), threads * 2), 500)

    def request_stop(self) -> None:
        """Start no more sends (those in flight finish)."""
        self._stop.set()

    def close(self) -> None:
        """Stop starting sends and wait for those in flight."""
        self._stop.set()
        self._pool.shutdown(wait=True)

    # -- passes ------------------------------------------------------------------------------
    def dispatch(self, now: datetime | None = None) -> DispatchReport:
        """One pass over due deliveries (and `sending` ones ready to verify)."""
        now = now or self._clock()
        # A `sending` row with no retry time is normally in flight right now; one that has
        # been so for longer than any call can take was left behind by a failure.
        stale = now - timedelta(seconds=self._needed + 60)
        return self._run(due_or_stale(now, stale))

    def recover(self, now: datetime | None = None) -> DispatchReport:
        """Verify every `sending` delivery (a predecessor may have died mid-send), then resend
        only those whose message is not in the recipient's DM history."""
        now = now or self._clock()
        report = DispatchReport()
        ready = sending_ready(now)
        seen: set[int] = set()
        while True:
            batch = self._run(ready, verify_only=True, skip=seen)
            report.add(batch)
            if batch.claimed == 0 or batch.stopped:
                return report

    def mark_missed(self, since: datetime, now: datetime | None = None, *, grace: timedelta) -> int:
        """Deliveries that fell due while no process was dispatching, longer ago than `grace`."""
        missed = self._outbox.mark_missed(since, now or self._clock(), grace=grace)
        if missed:
            logger.warning("%s nudges fell due during downtime beyond the grace window", missed)
        return missed

    def _run(
        self,
        condition: Any,
        *,
        verify_only: bool = False,
        skip: set[int] | None = None,
    ) -> DispatchReport:
        tasks, channels = self._outbox.fetch(condition, limit=self.batch_size)
        self._recipients.prime(channels)
        if skip is not None:
            # A row that stays `sending` after being handled once (changed under us) must not
            # keep a recovery loop spinning.
            tasks = [task for task in tasks if task.id not in skip]
            skip.update(task.id for task in tasks)
        report = DispatchReport(claimed=len(tasks))
        if not tasks:
            return report
        reports = list(self._pool.map(lambda t: self._guarded(t, verify_only), tasks))
        for item in reports:
            report.add(item)
        return report

    # -- one delivery ------------------------------------------------------------------------
    def _guarded(self, task: Task, verify_only: bool) -> DispatchReport:
        report = DispatchReport()
        try:
            self._process(task, report, verify_only)
        except GateStopped:
            # Stopping: the row is as the last committed step left it (pending, or `sending`
            # to be verified by whoever dispatches next).
            report.stopped += 1
        except Exception:
            # Whatever happened, the row may be `sending` with a message out: leave it to be
            # verified later rather than guessing.
            logger.exception("nudge delivery %s failed unexpectedly", task.id)
            self._outbox.defer_verification(task.id, 60.0)
        return report

    def _can_send(self) -> bool:
        return not self._stop.is_set() and self._lease_left() >= self._needed

    def _process(self, task: Task, report: DispatchReport, verify_only: bool) -> None:
        if not self._can_send():
            report.stopped += 1
            return
        expected = task.status
        if task.status == "sending" and not self._may_resend(task, report):
            return
        if verify_only and task.status != "sending":
            return
        other = self._messages(task.id, task.lesson_id) if self._messages else None
        lesson = self._library.lesson(task.lesson_id)
        if lesson is None and other is None:
            self._outbox.finish(task.id, "failed", error="lesson_missing", expected=(expected,))
            report.failed += 1
            return
        try:
            channel = self._recipients.open_channel(task.recipient)
        except SlackCallError as exc:
            self._after_failure(task, exc.failure, report, posted=False, expected=expected)
            return
        deadline = time.monotonic() + self._lease_left() - self._needed
        if not self._gate.wait_to_send(POST, deadline=deadline) or not self._can_send():
            report.stopped += 1
            return
        if not self._outbox.claim(task, expected, channel):
            self._explain_refusal(task, report)
            return
        if other is None:
            assert lesson is not None
            other = self._render_lesson(task, lesson)
        self._post(task, channel, other, report)

    def _may_resend(self, task: Task, report: DispatchReport) -> bool:
        """A `sending` delivery may be sent again only when its message is provably not in the
        DM and attempts are left; otherwise what was found is recorded."""
        found = self._verify(task)
        if found is None:
            return False
        if found:
            report.verified += 1
            return False
        if task.attempts >= self._max_attempts:
            self._outbox.finish(task.id, "failed", error="gave_up", expected=("sending",))
            report.failed += 1
            return False
        return True

    def _render_lesson(self, task: Task, lesson: Lesson) -> Message:
        track_title, total = self._outbox.plan(task.campaign_id)
        return nudge_message(
            lesson,
            delivery_id=task.id,
            step=(task.step + 1, total) if total > 1 else None,
            track_title=track_title,
        )

    def _post(self, task: Task, channel: str, message: Message, report: DispatchReport) -> None:
        """The send itself, for a delivery already claimed (`sending`)."""
        text, blocks = message
        try:
            response = self._client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                metadata=nudge_metadata(task.id, task.lesson_id, task.campaign_id),
                unfurl_links=False,
                unfurl_media=False,
            )
        except (SlackApiError, OSError) as exc:
            self._after_failure(task, classify(exc), report, posted=True, expected="sending")
            return
        ts = str(response.get("ts") or "")
        self._outbox.mark_sent(task.id, ts=ts, channel=str(response.get("channel") or channel))
        report.sent += 1

    def _explain_refusal(self, task: Task, report: DispatchReport) -> None:
        cancelled, paused = self._outbox.refusal(task)
        if cancelled:
            self._outbox.finish(task.id, "cancelled", expected=("pending", "sending"))
            report.cancelled += 1
        elif paused:
            self._outbox.finish(task.id, "skipped", error="paused", expected=("pending", "sending"))
            report.skipped += 1

    def _verify(self, task: Task) -> bool | None:
        """Is this delivery's message already in the DM? True/False, None when we cannot tell."""
        if not task.channel or task.attempts == 0:
            return False
        sent_after = (task.sending_at or self._clock()) - HISTORY_WINDOW
        cursor: str | None = None
        try:
            for _ in range(HISTORY_PAGES):
                response = self._gate.call(
                    "conversations.history",
                    partial(
                        self._client.conversations_history,
                        channel=str(task.channel),
                        oldest=f"{sent_after.timestamp():.6f}",
                        limit=200,
                        include_all_metadata=True,
                        cursor=cursor,
                    ),
                )
                for message in response.get("messages") or []:
                    metadata = message.get("metadata") or {}
                    payload = metadata.get("event_payload") or {}
                    if metadata.get("event_type") == EVENT_TYPE and str(
                        payload.get("delivery_id")
                    ) == str(task.id):
                        self._outbox.mark_sent(
                            task.id, ts=str(message.get("ts") or ""), channel=task.channel
                        )
                        logger.info("delivery %s was already posted; recorded, not resent", task.id)
                        return True
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not response.get("has_more") or not cursor:
                    return False
        except SlackCallError as exc:
            if exc.failure.verdict is Verdict.PERMANENT:
                # The DM itself is gone (the person left): nothing was or can be delivered.
                self._outbox.finish(
                    task.id, "failed", error=exc.failure.error, expected=("sending",)
                )
                return None
            logger.warning("cannot verify delivery %s yet: %s", task.id, exc.failure.error)
            self._outbox.defer_verification(task.id, backoff(task.attempts, base=30.0))
            return None
        # More history than we read: not finding it is not proof, so do not resend.
        logger.warning("delivery %s: DM history too long to verify; marked failed", task.id)
        self._outbox.finish(task.id, "failed", error="unverifiable", expected=("sending",))
        return None

    def _after_failure(
        self,
        task: Task,
        failure: Failure,
        report: DispatchReport,
        *,
        posted: bool,
        expected: str,
    ) -> None:
        """Record what a failed call means; `posted` says whether chat.postMessage was tried."""
        now = self._clock()
        verdict = failure.verdict
        if verdict is Verdict.RATE_LIMITED:
            # A 429 is a refusal: nothing was posted, so the delivery is simply pending again.
            method = POST if posted else "conversations.open"
            seconds = 1.0 if failure.retry_after is None else failure.retry_after
            self._gate.pause(method, seconds)
            wait = timedelta(seconds=seconds)
            self._outbox.requeue(task.id, expected, now + wait, undo_attempt=posted)
            report.rate_limited += 1
        elif verdict is Verdict.PERMANENT:
            self._outbox.finish(task.id, "failed", error=failure.error, expected=(expected,))
            report.failed += 1
            logger.info("delivery %s failed for good: %s", task.id, failure.error)
        elif verdict is Verdict.FATAL:
            logger.error("Slack refused our token or scopes (%s); pausing nudges", failure.error)
            self._gate.halt(60.0)
            self._outbox.requeue(
                task.id, expected, now + timedelta(seconds=60), undo_attempt=posted
            )
            report.retried += 1
        elif verdict is Verdict.UNCERTAIN and posted:
            # The message may be out: stay `sending`, verify in the DM history before any resend.
            self._outbox.defer_verification(
                task.id, max(backoff(task.attempts + 1), VERIFY_DELAY.total_seconds())
            )
            report.uncertain += 1
        else:
            attempts = task.attempts + (1 if posted else 0)
            if attempts >= self._max_attempts:
                self._outbox.finish(
                    task.id, "failed", error=f"gave_up:{failure.error}"[:64], expected=(expected,)
                )
                report.failed += 1
                return
            retry_at = now + timedelta(seconds=backoff(attempts + 1))
            self._outbox.requeue(
                task.id, expected, retry_at, undo_attempt=False, error=failure.error
            )
            report.retried += 1
