"""Acknowledgement latency of `/painpoint <text>` against `painpoint run --http`.

Run: .venv/bin/python benchmarks/ack_latency.py [-n 2000] [-c 16] [--postgres SERVER_URL]

Sends N signed slash commands, C at a time, to a real `painpoint run --http` process (SQLite and,
when a PostgreSQL URL is given or PAINPOINT_TEST_DATABASE_URL is set, PostgreSQL) whose Web API
is a local stand-in, and to a bare Bolt handler served the same way. Prints p50/p95/p99 and
requests per second, then checks that every request stored exactly one row.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.privacy.seal import Sealer  # noqa: E402
from tests.slack_requests import SIGNING_SECRET, sign, slash_body  # noqa: E402
from tests.slack_stand_in import SlackStandIn  # noqa: E402

EXTRA_RUN_ARGS: list[str] = os.environ.get("BENCH_RUN_ARGS", "").split()
TOPICS = [
    "copying invoices",
    "waiting for approvals",
    "the VPN",
    "weekly reports",
    "finding the latest policy",
    "booking meeting rooms",
    "month-end close",
    "onboarding",
]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), or NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    latencies_ms: list[float]
    errors: int
    seconds: float
    server_cpu_seconds: float

    def row(self) -> str:
        q = statistics.quantiles(self.latencies_ms, n=100, method="inclusive")
        rps = len(self.latencies_ms) / self.seconds
        return (
            f"| {self.name} | {len(self.latencies_ms)} | {q[49]:.1f} | {q[94]:.1f} | "
            f"{q[98]:.1f} | {rps:.0f} | {self.server_cpu_seconds / len(self.latencies_ms) * 1000:.2f} | "
            f"{self.errors} |"
        )

    @property
    def p99(self) -> float:
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[98]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status in (200, 404, 405):
                    return
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 405):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def fire(url: str, n: int, concurrency: int, run_tag: str) -> tuple[list[float], int, float]:
    def one(i: int) -> tuple[float, bool]:
        body = slash_body(
            f"{TOPICS[i % len(TOPICS)]} takes ages ({run_tag} request {i})", user=f"UB{i % 997:05d}"
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
                ok = response.status == 200
        except OSError:
            ok = False
        return (time.perf_counter() - start) * 1000, ok

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(n)))
    elapsed = time.perf_counter() - started
    return [ms for ms, _ in results], sum(1 for _, ok in results if not ok), elapsed


def run_server(cmd: list[str], env: dict[str, str], health: str) -> subprocess.Popen[bytes]:
    # The server logs to a file: a pipe nobody reads fills up and then blocks the server.
    # The child keeps its own handle on the file after this one is closed.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_ready(health)
        except RuntimeError:
            process.kill()
            log.seek(0)
            raise RuntimeError(log.read().decode()[-2000:]) from None
    return process


def bench_painpoint(
    name: str, database_url: str, stand_in: SlackStandIn, n: int, c: int, warmup: int
) -> tuple[Result, int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": stand_in.base_url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "PAINPOINT_SECRET_KEY": "benchmark-secret-key-0123456789",
        "PAINPOINT_LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_APP_TOKEN", None)
    painpoint = str(Path(sys.executable).parent / "painpoint")
    process = run_server(
        [painpoint, "run", "--http", "--port", str(port), "--host", "127.0.0.1", *EXTRA_RUN_ARGS],
        env,
        f"http://127.0.0.1:{port}/healthz",
    )
    try:
        url = f"http://127.0.0.1:{port}/slack/events"
        fire(url, warmup, c, f"{name}-warmup")
        cpu_before = cpu_seconds(process.pid)
        latencies, errors, seconds = fire(url, n, c, name)
        server_cpu = cpu_seconds(process.pid) - cpu_before
    finally:
        process.terminate()
        process.wait(10)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT text, sealed, pending_scrub FROM painpoints"))
        # Rows still waiting for the full scrub keep their text sealed (`text` is empty).
        sealer = Sealer(env["PAINPOINT_SECRET_KEY"])
        texts = [sealer.open(sealed)["text"] if pending else t for t, sealed, pending in stored]
    engine.dispose()
    rows = sum(1 for t in texts if f"({name} request " in str(t))
    return Result(f"painpoint, {name}", latencies, errors, seconds, server_cpu), rows


def fresh_postgres_database(server_url: str, name: str = "painpoint_bench") -> str:
    """A freshly created database on the server of `server_url`, so tests' data is untouched."""
    url = make_url(server_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def bench_bare(stand_in: SlackStandIn, n: int, c: int, warmup: int) -> Result:
    port = free_port()
    env = {**os.environ, "SLACK_API_URL": stand_in.base_url, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    process = run_server(
        [sys.executable, str(ROOT / "benchmarks" / "bare_bolt.py"), "--port", str(port)],
        env,
        f"http://127.0.0.1:{port}/",
    )
    try:
        url = f"http://127.0.0.1:{port}/slack/events"
        fire(url, warmup, c, "bare-warmup")
        cpu_before = cpu_seconds(process.pid)
        latencies, errors, seconds = fire(url, n, c, "bare")
        server_cpu = cpu_seconds(process.pid) - cpu_before
    finally:
        process.terminate()
        process.wait(10)
    return Result("bare Bolt handler", latencies, errors, seconds, server_cpu)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("-n", type=int, default=2000, help="requests per target")
    parser.add_argument("-c", type=int, default=16, help="concurrent requests")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--postgres", default=os.environ.get("PAINPOINT_TEST_DATABASE_URL"))
    args = parser.parse_args()

    stand_in = SlackStandIn().start()
    workdir = Path(tempfile.mkdtemp(prefix="painpoint-bench-"))
    results: list[Result] = [bench_bare(stand_in, args.n, args.c, args.warmup)]
    stored: dict[str, int] = {}
    targets = [("sqlite", f"sqlite:///{workdir / 'bench.db'}")]
    if args.postgres:
        targets.append(("postgresql", fresh_postgres_database(args.postgres)))
    for name, url in targets:
        result, rows = bench_painpoint(name, url, stand_in, args.n, args.c, args.warmup)
        results.append(result)
        stored[name] = rows
    stand_in.stop()
    shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\n{args.n} signed `/painpoint <text>` requests, {args.c} at a time, after {args.warmup} warm-up\n"
    )
    print("| target | requests | p50 ms | p95 ms | p99 ms | req/s | server CPU ms/req | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    bare = results[0].p99
    ok = True
    for result in results[1:]:
        name = result.name.split(", ")[1]
        ratio = result.p99 / bare if bare else float("inf")
        lost_or_doubled = stored[name] - args.n
        verdict = result.p99 <= 100 and ratio <= 3 and result.errors == 0 and lost_or_doubled == 0
        ok &= verdict
        print(
            f"\n{name}: p99 {result.p99:.1f} ms = {ratio:.2f}× bare; rows stored {stored[name]} "
            f"of {args.n} ({'OK' if verdict else 'MISSES TARGET'})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
