"""The one gate for everything the app sends on its own initiative: a message budget, 429
pauses shared by every thread, and one classification of failures.

Clients used through the gate retry nothing themselves: whether a failed call may be repeated
depends on whether Slack might have done it. `call` repeats idempotent reads, `send` repeats
posts only when Slack says it did nothing, and the outbox dispatcher verifies the rest.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

T = TypeVar("T")

# The recipient cannot get a DM from us, now or later: record and never retry.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "account_inactive",
        "user_disabled",
        "user_deactivated",
        "deactivated_user",
        "cannot_dm_bot",
        "user_is_bot",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "messages_tab_disabled",
        "restricted_action",
        "restricted_action_read_only_channel",
        "user_not_visible",
        "invalid_blocks",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
    }
)
# Our own configuration is broken: every call would fail the same way. Wait, do not burn
# the outbox.
FATAL_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "no_permission",
        "team_access_not_granted",
        "org_login_required",
        "ekm_access_denied",
        "not_allowed_token_type",
        "app_missing_action_url",
    }
)
# Slack may have done the work before failing: a retry must check first.
UNCERTAIN_ERRORS = frozenset({"internal_error", "fatal_error", "request_timeout"})
# Slack did not do the work and says it will work later.
RETRY_ERRORS = frozenset({"service_unavailable", "team_added_to_org", "ratelimited"})


class Verdict(StrEnum):
    """What a failed call means for the delivery that made it."""

    RATE_LIMITED = "rate_limited"  # not done; wait Retry-After, then try again
    RETRY = "retry"  # not done; try again after a backoff
    UNCERTAIN = "uncertain"  # may be done; check before trying again
    PERMANENT = "permanent"  # not done and never will be for this recipient
    FATAL = "fatal"  # not done; our token or scopes are broken


@dataclass(frozen=True)
class Failure:
    """A classified failure: the verdict, Slack's error code, and Retry-After if any."""

    verdict: Verdict
    error: str
    retry_after: float | None = None


def classify(exc: BaseException) -> Failure:
    """Map an exception from a Slack Web API call to what the caller should do."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = int(getattr(response, "status_code", 200) or 200)
        data = getattr(response, "data", None)
        error = str(data.get("error") or "") if isinstance(data, dict) else ""
        # The HTTP status decides first: a 5xx body says little about what happened.
        if status == 429:
            return Failure(Verdict.RATE_LIMITED, "ratelimited", _retry_after(response))
        if status >= 500:
            return Failure(Verdict.UNCERTAIN, f"http_{status}")
        if error == "ratelimited":
            return Failure(Verdict.RATE_LIMITED, "ratelimited", _retry_after(response))
        if error in FATAL_ERRORS:
            return Failure(Verdict.FATAL, error)
        if error in UNCERTAIN_ERRORS:
            return Failure(Verdict.UNCERTAIN, error)
        if error in RETRY_ERRORS:
            return Failure(Verdict.RETRY, error)
        # Unknown errors are treated as permanent: retrying something we do not understand
        # could go on for ever, and the error is recorded for a person to look at.
        return Failure(Verdict.PERMANENT, (error or f"http_{status}")[:64])
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, ConnectionRefusedError):
        # Nothing reached Slack.
        return Failure(Verdict.RETRY, "connection_refused")
    if isinstance(exc, ConnectionRefusedError):
        return Failure(Verdict.RETRY, "connection_refused")
    if isinstance(exc, OSError | http.client.HTTPException):
        # The request may have reached Slack before the connection failed.
        return Failure(Verdict.UNCERTAIN, type(exc).__name__[:64])
    raise exc


def _retry_after(response: Any) -> float:
    headers = getattr(response, "headers", None) or {}
    for key in ("Retry-After", "retry-after"):
        value = headers.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            try:
                return max(float(value), 0.0)
            except ValueError:
                break
    return 1.0


def backoff(attempt: int, *, base: float = 2.0, cap: float = 300.0) -> float:
    """Exponential backoff with full jitter, at least `base` seconds."""
    return base + random.uniform(0, min(cap, base * 2 ** max(attempt - 1, 0)))


class SlackGate:
    """Shared by all sender threads: paces messages and pauses a method after a 429.

    A 429 pauses *every* thread for that method, not only the one that got it: the limit is
    per method and workspace, so the others would only collect 429s of their own.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.interval = 1.0 / rate
        self._clock = clock
        self._stopped = threading.Event()
        self._sleep_fn = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._paused_until: dict[str, float] = {}
        self._halted_until = 0.0
        self.rate_limited = 0

    def stop(self) -> None:
        """Wake every waiting caller: waits return False, calls raise GateStopped."""
        self._stopped.set()

    def _sleep(self, seconds: float) -> None:
        if self._sleep_fn is not None:
            self._sleep_fn(seconds)
        else:
            # Interruptible, so that stopping the worker does not wait out long pauses.
            self._stopped.wait(seconds)

    def pause(self, method: str, seconds: float) -> None:
        """Hold every call to `method` for `seconds` from now."""
        with self._lock:
            self.rate_limited += 1
            until = self._clock() + seconds
            if until > self._paused_until.get(method, 0.0):
                self._paused_until[method] = until

    def halt(self, seconds: float) -> None:
        """Hold every call to every method (our token or scopes are broken)."""
        with self._lock:
            self._halted_until = max(self._halted_until, self._clock() + seconds)

    def blocked_for(self, method: str) -> float:
        """Seconds until `method` may be called (0 when it may be called now)."""
        with self._lock:
            until = max(self._paused_until.get(method, 0.0), self._halted_until)
        return max(until - self._clock(), 0.0)

    def wait(self, method: str, deadline: float | None = None) -> bool:
        """Sleep through any pause on `method`; False if that would pass `deadline`."""
        while True:
            if self._stopped.is_set():
                return False
            remaining = self.blocked_for(method)
            if remaining <= 0:
                return True
            if deadline is not None and self._clock() + remaining > deadline:
                return False
            self._sleep(remaining)

    def wait_to_send(self, method: str = "chat.postMessage", deadline: float | None = None) -> bool:
        """Wait for the next slot of the message budget (and any pause); False past `deadline`."""
        while True:
            if not self.wait(method, deadline):
                return False
            with self._lock:
                now = self._clock()
                # A pause leaves no credit behind: after it, sending resumes at the budget.
                slot = max(self._next_slot, now)
                if deadline is not None and slot > deadline:
                    return False
                self._next_slot = slot + self.interval
            if slot > now:
                self._sleep(slot - now)
            if self._stopped.is_set():
                return False
            if self.blocked_for(method) <= 0:
                return True

    def call(self, method: str, fn: Callable[[], T], *, attempts: int = 6) -> T:
        """Run an idempotent call (no side effects), waiting out 429s and transient errors."""
        last: Failure | None = None
        for attempt in range(1, attempts + 1):
            if not self.wait(method):
                raise GateStopped(method)
            try:
                return fn()
            except (SlackApiError, OSError, http.client.HTTPException) as exc:
                failure = classify(exc)
                last = failure
                if failure.verdict is Verdict.RATE_LIMITED:
                    self.pause(method, 1.0 if failure.retry_after is None else failure.retry_after)
                    continue
                if failure.verdict in (Verdict.RETRY, Verdict.UNCERTAIN) and attempt < attempts:
                    self._sleep(backoff(attempt, base=0.5, cap=10.0))
                    continue
                raise SlackCallError(failure) from exc
        assert last is not None
        raise SlackCallError(last)

    def send(self, method: str, fn: Callable[[], T], *, attempts: int = 6) -> T:
        """Run a call that must not happen twice (a post): retried only when Slack says it
        did nothing (429, "try later"); a failure that may hide a done call is raised."""
        last: Failure | None = None
        for attempt in range(1, attempts + 1):
            if not self.wait(method):
                raise GateStopped(method)
            try:
                return fn()
            except (SlackApiError, OSError, http.client.HTTPException) as exc:
                failure = classify(exc)
                last = failure
                if failure.verdict is Verdict.RATE_LIMITED:
                    self.pause(method, 1.0 if failure.retry_after is None else failure.retry_after)
                    continue
                if failure.verdict is Verdict.RETRY and attempt < attempts:
                    self._sleep(backoff(attempt, base=0.5, cap=10.0))
                    continue
                raise SlackCallError(failure) from exc
        assert last is not None
        raise SlackCallError(last)


class GateStopped(Exception):
    """The worker is stopping: the call was not made (nothing to record, nothing lost)."""


class SlackCallError(Exception):
    """An idempotent call failed for good; carries the classified failure."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.error)
        self.failure = failure

    @classmethod
    def of(cls, verdict: Verdict, error: str) -> SlackCallError:
        """A failure detected by us rather than reported by Slack."""
        return cls(Failure(verdict, error))
