"""Classifying Slack failures and pacing calls (fake clock, no network)."""

from __future__ import annotations

import urllib.error

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.slack.gate import SlackCallError, SlackGate, Verdict, backoff, classify


def api_error(
    error: str | None, status: int = 200, headers: dict[str, str] | None = None
) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": error} if error else {},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("failed", response)


@pytest.mark.parametrize(
    ("exc", "verdict", "error"),
    [
        (api_error("ratelimited", 429, {"Retry-After": "7"}), Verdict.RATE_LIMITED, "ratelimited"),
        (api_error(None, 503), Verdict.UNCERTAIN, "http_503"),
        (api_error("internal_error"), Verdict.UNCERTAIN, "internal_error"),
        (api_error("service_unavailable"), Verdict.RETRY, "service_unavailable"),
        (api_error("user_not_found"), Verdict.PERMANENT, "user_not_found"),
        (api_error("account_inactive"), Verdict.PERMANENT, "account_inactive"),
        (api_error("cannot_dm_bot"), Verdict.PERMANENT, "cannot_dm_bot"),
        (api_error("channel_not_found"), Verdict.PERMANENT, "channel_not_found"),
        (api_error("something_new"), Verdict.PERMANENT, "something_new"),
        (api_error("invalid_auth"), Verdict.FATAL, "invalid_auth"),
        (urllib.error.URLError(ConnectionRefusedError()), Verdict.RETRY, "connection_refused"),
        (TimeoutError("read timed out"), Verdict.UNCERTAIN, "TimeoutError"),
        (ConnectionResetError(), Verdict.UNCERTAIN, "ConnectionResetError"),
    ],
)
def test_classify(exc: BaseException, verdict: Verdict, error: str) -> None:
    failure = classify(exc)
    assert (failure.verdict, failure.error) == (verdict, error)


def test_retry_after_is_read_from_the_429() -> None:
    assert classify(api_error("ratelimited", 429, {"Retry-After": "7"})).retry_after == 7.0
    assert classify(api_error("ratelimited", 429)).retry_after == 1.0


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_budget_spaces_messages_and_a_pause_holds_everyone() -> None:
    fake = FakeTime()
    gate = SlackGate(4.0, clock=fake.clock, sleep=fake.sleep)
    starts = []
    for _ in range(4):
        assert gate.wait_to_send()
        starts.append(fake.now)
    assert starts == [1000.0, 1000.25, 1000.5, 1000.75]
    gate.pause("chat.postMessage", 3.0)
    assert gate.blocked_for("chat.postMessage") == 3.0
    assert gate.blocked_for("conversations.open") == 0.0  # per method
    assert gate.wait_to_send()
    assert fake.now == pytest.approx(1003.75)
    # A deadline that the pause would pass: give up instead of sleeping.
    gate.pause("chat.postMessage", 10.0)
    assert not gate.wait_to_send(deadline=fake.now + 5)


def test_idempotent_calls_wait_out_429s_and_give_up_on_permanent_errors() -> None:
    fake = FakeTime()
    gate = SlackGate(1.0, clock=fake.clock, sleep=fake.sleep)
    answers: list[BaseException | str] = [api_error("ratelimited", 429, {"Retry-After": "2"}), "ok"]

    def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    assert gate.call("users.info", call) == "ok"
    assert fake.slept == [2.0] and gate.rate_limited == 1
    with pytest.raises(SlackCallError) as caught:
        gate.call("users.info", lambda: (_ for _ in ()).throw(api_error("user_not_found")))
    assert caught.value.failure.verdict is Verdict.PERMANENT


def test_backoff_grows_and_is_capped() -> None:
    assert 2.0 <= backoff(1) <= 4.0
    assert all(2.0 <= backoff(20) <= 302.0 for _ in range(20))


def test_stopping_the_gate_wakes_waiting_senders_at_once() -> None:
    import threading
    import time

    from bot.slack.gate import GateStopped

    gate = SlackGate(1.0)
    gate.pause("chat.postMessage", 60.0)
    results: list[bool] = []
    waiter = threading.Thread(target=lambda: results.append(gate.wait_to_send()))
    waiter.start()
    time.sleep(0.1)
    started = time.monotonic()
    gate.stop()
    waiter.join(2)
    assert results == [False] and time.monotonic() - started < 1
    with pytest.raises(GateStopped):
        gate.call("users.info", lambda: "never called")
