"""Nudge fan-out: 10,000 recipients, 429 on every 7th message, and a SIGKILL half-way.

Run: .venv/bin/python benchmarks/fanout.py [-n 10000] [--rate 200] [--every 7]
                                           [--retry-after 1] [--database-url URL]

Two runs, each against a fresh database and a fresh Web API stand-in whose chat.postMessage
answers HTTP 429 (Retry-After) to every 7th call:

1. one `painpoint worker` process delivers a campaign to a channel of N members;
2. the same, but the worker is killed with SIGKILL when about half the DMs are out, and a new
   `painpoint worker` is started at once (it must wait for the dead one's lease to expire).

After each run it checks that every recipient's DM holds exactly one nudge and that Slack was
sent exactly N successful chat.postMessage calls, and prints the time taken next to the time
the configured message budget (PAINPOINT_NUDGE_RATE) alone would need. Exits non-zero if any
recipient got zero or two nudges.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_nudge_service  # noqa: E402
from bot.db import migrate  # noqa: E402
from bot.db.nudge_models import NudgeDelivery  # noqa: E402
from bot.db.session import make_engine, make_session_factory  # noqa: E402
from bot.domain.nudges import ScheduleRequest  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from tests.slack_stand_in import Call, Failure, SlackStandIn  # noqa: E402

SECRET = "benchmark-secret-key-0123456789"
LESSON = "keep-data-safe"


class FanoutStandIn(SlackStandIn):
    """The test stand-in with the same rules, counted in O(1).

    SlackStandIn decides "every 7th call" by scanning its whole call log on each request,
    which is quadratic at 20,000+ calls and would make the stand-in, not the bot, the
    bottleneck. This keeps the rule (the k-th call of a method, counting every call, gets a
    429 when k is a multiple of `every`) with a counter, and counts successful posts.
    """

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after
        self.counts: Counter[str] = Counter()
        self.posted = 0
        self.first_post: float | None = None
        self.last_post: float | None = None

    def _record(self, call: Call) -> None:
        with self._condition:
            self.calls.append(call)
            self.counts[call.method] += 1

    def _scripted_failure(self, method: str) -> Failure | None:
        with self._lock:
            every = self.rate_limit_every.get(method)
            if every and self.counts[method] % every == 0:
                return Failure(status=429, retry_after=self.retry_after)
        return None

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        body = super().answer(method, params)
        if method == "chat.postMessage":
            now = time.monotonic()
            with self._lock:
                self.posted += 1
                self.first_post = self.first_post or now
                self.last_post = now
        return body


@dataclass
class RunResult:
    name: str
    recipients: int
    seconds_total: float
    seconds_fanout: float
    budget_seconds: float
    rate_limited: int
    posted: int
    duplicates: int
    missing: int
    killed_after: int | None = None
    takeover_seconds: float | None = None
    recovery: str = ""

    @property
    def exactly_once(self) -> bool:
        return self.duplicates == 0 and self.missing == 0 and self.posted == self.recipients


def worker_env(
    args: argparse.Namespace, database_url: str, stand_in: SlackStandIn
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PAINPOINT_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-benchmark",
            "SLACK_API_URL": stand_in.base_url,
            "PAINPOINT_SECRET_KEY": SECRET,
            "PAINPOINT_NUDGE_RATE": str(args.rate),
            "PAINPOINT_NUDGE_LEASE_SECONDS": str(args.lease),
            "PAINPOINT_NUDGE_THREADS": str(args.threads),
            "PAINPOINT_LOG_LEVEL": "INFO",
        }
    )
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = open(log, "ab")  # noqa: SIM115 - owned by the child for its lifetime
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"],
        cwd=tempfile.gettempdir(),  # no stray .env
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def prepare(database_url: str, recipients: int, stand_in: SlackStandIn) -> None:
    migrate.upgrade(database_url)
    members = [f"U{n:05d}" for n in range(1, recipients + 1)]
    stand_in.channel_members["CFANOUT"] = members
    settings = load_settings(
        DATABASE_URL=database_url, PAINPOINT_SECRET_KEY=SECRET, SLACK_BOT_TOKEN="xoxb-benchmark"
    )
    service = build_nudge_service(settings, make_session_factory(make_engine(database_url)))
    service.schedule(
        ScheduleRequest(content=f"lesson:{LESSON}", audience=["CFANOUT"]), created_by="benchmark"
    )


def outbox(database_url: str) -> Counter[str]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(NudgeDelivery.status, func.count()).group_by(NudgeDelivery.status)
            ).all()
    finally:
        engine.dispose()
    return Counter({status: int(n) for status, n in rows})


def wait_done(database_url: str, recipients: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = outbox(database_url)
        if sum(counts.values()) == recipients and counts["pending"] + counts["sending"] == 0:
            return
        time.sleep(1.0)
    raise SystemExit(f"timed out; outbox: {dict(outbox(database_url))}")


def check(stand_in: FanoutStandIn, recipients: int) -> tuple[int, int]:
    """(duplicates, missing) over every recipient's DM."""
    duplicates = missing = 0
    for n in range(1, recipients + 1):
        messages = [
            m
            for m in stand_in.history.get(f"D{n:05d}", [])
            if (m.get("metadata") or {}).get("event_type") == "painpoint_nudge"
        ]
        duplicates += max(len(messages) - 1, 0)
        missing += not messages
    return duplicates, missing


def fresh_database(args: argparse.Namespace, workdir: Path, name: str) -> str:
    if args.database_url:
        engine = make_engine(args.database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        return str(args.database_url)
    return f"sqlite:///{workdir / name}.db"


def run(args: argparse.Namespace, workdir: Path, *, kill: bool) -> RunResult:
    name = "kill-and-restart" if kill else "one-worker"
    stand_in = FanoutStandIn(args.retry_after).start()
    stand_in.rate_limit_every["chat.postMessage"] = args.every
    try:
        database_url = fresh_database(args, workdir, name)
        prepare(database_url, args.recipients, stand_in)
        env = worker_env(args, database_url, stand_in)
        log = workdir / f"{name}.log"
        started = time.monotonic()
        worker = start_worker(env, log)
        killed_after = takeover = None
        recovery = ""
        if kill:
            while stand_in.posted < args.recipients // 2:
                if worker.poll() is not None:
                    raise SystemExit(f"worker exited early; see {log}")
                time.sleep(0.01)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            killed_at = time.monotonic()
            killed_after = stand_in.posted
            print(f"  SIGKILL after {killed_after} DMs; restarting", flush=True)
            worker = start_worker(env, log)
            posted_at_kill = stand_in.posted
            while stand_in.posted == posted_at_kill and worker.poll() is None:
                time.sleep(0.05)
            takeover = time.monotonic() - killed_at
        wait_done(database_url, args.recipients, timeout=args.timeout)
        total = time.monotonic() - started
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        if kill:
            found = re.findall(
                r"recovery: (\d+) found already posted, (\d+) sent now", log.read_text()
            )
            history_checks = stand_in.counts["conversations.history"]
            recovery = f"{history_checks} left `sending` → " + (
                f"{found[-1][0]} found in the DM history (not resent), {found[-1][1]} sent"
                if found
                else "none to verify"
            )
        duplicates, missing = check(stand_in, args.recipients)
        assert stand_in.first_post is not None and stand_in.last_post is not None
        return RunResult(
            name=name,
            recipients=args.recipients,
            seconds_total=total,
            seconds_fanout=stand_in.last_post - stand_in.first_post,
            budget_seconds=args.recipients / args.rate,
            rate_limited=stand_in.counts["chat.postMessage"] - stand_in.posted,
            posted=stand_in.posted,
            duplicates=duplicates,
            missing=missing,
            killed_after=killed_after,
            takeover_seconds=takeover,
            recovery=recovery,
        )
    finally:
        stand_in.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200.0, help="PAINPOINT_NUDGE_RATE")
    parser.add_argument("--every", type=int, default=7, help="429 on every k-th postMessage")
    parser.add_argument("--retry-after", type=int, default=1, help="seconds in each 429")
    parser.add_argument("--threads", type=int, default=4, help="PAINPOINT_NUDGE_THREADS")
    parser.add_argument("--lease", type=int, default=10, help="PAINPOINT_NUDGE_LEASE_SECONDS")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--timeout", type=float, default=4 * 3600)
    parser.add_argument("--only", choices=["one-worker", "kill-and-restart"], default=None)
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        workdir = Path(tmp)
        for kill in (False, True):
            if args.only and args.only != ("kill-and-restart" if kill else "one-worker"):
                continue
            print(f"run: {'kill-and-restart' if kill else 'one-worker'} …", flush=True)
            results.append(run(args, workdir, kill=kill))
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\n{args.recipients:,} recipients, {database}, PAINPOINT_NUDGE_RATE={args.rate:g}/s, "
        f"429 on every {args.every}th chat.postMessage with Retry-After {args.retry_after} s, "
        f"{args.threads} sender threads\n"
    )
    print(
        "| run | DMs | 429s | fan-out s | total s | budget s | duplicates | missing | exactly once |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.name} | {r.posted:,} | {r.rate_limited:,} | {r.seconds_fanout:.1f} | "
            f"{r.seconds_total:.1f} | {r.budget_seconds:.1f} | {r.duplicates} | {r.missing} | "
            f"{'yes' if r.exactly_once else 'NO'} |"
        )
    for r in results:
        if r.killed_after is not None:
            print(
                f"\nkill-and-restart: SIGKILL after {r.killed_after:,} DMs; the new worker sent "
                f"again {r.takeover_seconds:.1f} s later (lease expiry); recovery: {r.recovery}"
            )
        floor = r.rate_limited * args.retry_after
        print(
            f"{r.name}: fan-out {r.seconds_fanout:.0f} s; the budget alone needs "
            f"{r.budget_seconds:.0f} s and the {r.rate_limited:,} Retry-After pauses "
            f"{floor:,} s more (pauses stop every sender)"
        )
    return 0 if all(r.exactly_once for r in results) else 1


if __name__ == "__main__":
    threading.current_thread().name = "fanout"
    sys.exit(main())
