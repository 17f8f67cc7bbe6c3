"""Socket Mode reconnects: how long `painpoint run` is deaf after its connection dies, and the CPU
it burns meanwhile.

Run: .venv/bin/python benchmarks/socket_reconnect.py [--runs 5] [--outage 10] [--before-runs 2]

A real `painpoint run` process (Socket Mode, SQLite) talks to a local Socket Mode stand-in
(tests/socket_stand_in.py) whose network the script breaks three ways, `--runs` times each:

- cut: the connection is dropped with a TCP FIN and no WebSocket close frame;
- black hole: the connection goes silent (no FIN, nothing answered, pings included);
- outage: a cut, then every new connection is refused for `--outage` seconds.

Each time, right after the break, a `/painpoint` envelope is queued; "reconnect s" is the time
from the break (for the outage: from its end) to that envelope's acknowledgement on the new
connection. "CPU %" is the bot process's user + system time over the same span, as a share of
one core. Before each break the script waits a random 1–5 s, so breaks fall at every point of
the ping cycle. `--before-runs` repeats the cut and the black hole against a bare Bolt app on
slack_sdk's built-in client (what `painpoint run` used before) for comparison. Exits non-zero
when a painpoint reconnect takes over 10 s, uses over 10% CPU, or a report is lost.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ack_latency import cpu_seconds  # noqa: E402
from benchmarks.servers import PAINPOINT, clean_env, stop  # noqa: E402
from tests.slack_requests import slash_body  # noqa: E402
from tests.slack_stand_in import SlackStandIn  # noqa: E402
from tests.socket_stand_in import SocketStandIn  # noqa: E402

TARGET_SECONDS = 10.0
TARGET_CPU = 0.10
_users = count(1)


@dataclass
class Break:
    kind: str
    seconds: float  # break (or end of outage) → first ack on a new connection
    cpu_share: float  # bot CPU over that span, share of one core
    log_lines: int


@dataclass
class Target:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    breaks: list[Break] = field(default_factory=list)


def envelope(tag: str) -> dict[str, Any]:
    user = f"US{next(_users):05d}"  # one report per person: no rate limit, no dedupe
    return dict(parse_qsl(slash_body(f"the VPN drops every hour ({tag})", user=user)))


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")  # the child keeps writing to it after this handle is gone
    try:
        return subprocess.Popen(
            cmd, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=tempfile.gettempdir()
        )
    finally:
        handle.close()


def lines(path: Path) -> int:
    return len(path.read_bytes().splitlines())


def one_break(target: Target, server: SocketStandIn, kind: str, outage: float, tag: str) -> Break:
    time.sleep(random.uniform(1, 5))
    server.wait_ack(server.send("slash_commands", envelope(f"{tag} before")), timeout=60)
    pid = target.process.pid
    cpu_before, log_before = cpu_seconds(pid), lines(target.log)
    if kind == "outage":
        server.refuse_connections()
    broken_at = server.black_hole() if kind == "black hole" else server.cut()
    envelope_id = server.send("slash_commands", envelope(f"{tag} after"))
    measured_from = broken_at
    if kind == "outage":
        time.sleep(outage)
        server.refuse_connections(False)
        measured_from = time.monotonic()
    try:
        ack_at = server.wait_ack(envelope_id, timeout=180).at
    except AssertionError:
        ack_at = float("inf")  # never came back (the built-in client after a black hole)
    end = min(ack_at, time.monotonic())
    cpu = cpu_seconds(pid) - cpu_before
    return Break(
        kind, ack_at - measured_from, cpu / (end - broken_at), lines(target.log) - log_before
    )


def run_target(
    target: Target,
    server: SocketStandIn,
    kinds: list[str],
    runs: int,
    outage: float,
    report: Callable[[str], None],
) -> None:
    server.wait_ack(server.send("slash_commands", envelope("warm-up")), timeout=60)
    for kind in kinds:
        for n in range(runs):
            result = one_break(target, server, kind, outage, f"{target.name} {kind} {n}")
            target.breaks.append(result)
            report(
                f"  {target.name}, {kind} {n + 1}: {result.seconds:.1f} s, "
                f"CPU {result.cpu_share:.0%}, {result.log_lines} log lines"
            )
            if result.seconds == float("inf"):
                return  # deaf for good: the rest would only wait as long again


def idle_cpu(pid: int, seconds: float = 10.0) -> float:
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


def stored_reports(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM painpoints")).scalar_one()
    engine.dispose()
    return int(rows)


def serve_builtin() -> None:
    """The comparison: a bare Bolt app on slack_sdk's built-in Socket Mode client."""
    from slack_bolt import Ack, App
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk import WebClient

    app = App(
        client=WebClient(token="xoxb-bench", base_url=os.environ["SLACK_API_URL"]),
        token_verification_enabled=False,
    )

    @app.command("/painpoint")
    def ack_only(ack: Ack) -> None:
        ack(text="ok")

    SocketModeHandler(app, os.environ["SLACK_APP_TOKEN"]).start()  # type: ignore[no-untyped-call]


def table(targets: list[Target], idle: dict[str, float]) -> None:
    print(
        "\n| client | break | runs | reconnect s (median) | min–max s | CPU % (max) | log lines |"
    )
    print("|---|---|---|---|---|---|---|")
    for target in targets:
        kinds = dict.fromkeys(b.kind for b in target.breaks)
        for kind in kinds:
            got = [b for b in target.breaks if b.kind == kind]
            seconds = [b.seconds for b in got]
            print(
                f"| {target.name} | {kind} | {len(got)} | {statistics.median(seconds):.1f} | "
                f"{min(seconds):.1f}–{max(seconds):.1f} | "
                f"{statistics.median(b.cpu_share for b in got):.1%} "
                f"({max(b.cpu_share for b in got):.1%}) | "
                f"{max(b.log_lines for b in got)} |"
            )
    for name, share in idle.items():
        print(f"\n{name}, idle for 10 s before the first break: CPU {share:.1%}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="breaks of each kind")
    parser.add_argument("--outage", type=float, default=10.0, help="seconds the server is down")
    parser.add_argument("--before-runs", type=int, default=2, help="0 skips the comparison")
    parser.add_argument("--serve-builtin", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_builtin:
        serve_builtin()
        return 0

    def report(line: str) -> None:
        print(line, flush=True)

    web = SlackStandIn().start()
    server = SocketStandIn(web).start()
    workdir = Path(tempfile.mkdtemp(prefix="painpoint-socket-"))
    database_url = f"sqlite:///{workdir / 'socket.db'}"
    env = clean_env(
        DATABASE_URL=database_url,
        SLACK_API_URL=web.base_url,
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_APP_TOKEN="xapp-1-bench",
        PAINPOINT_SECRET_KEY="benchmark-secret-key-0123456789",
        PAINPOINT_LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
    )
    targets: list[Target] = []
    idle: dict[str, float] = {}
    ok = True
    try:
        report("painpoint run (Socket Mode, websocket-client with a pong deadline) …")
        target = Target(
            "painpoint",
            start([PAINPOINT, "run"], env, workdir / "painpoint.log"),
            workdir / "painpoint.log",
        )
        targets.append(target)
        try:
            server.wait_connections(1, timeout=300)
            idle["painpoint"] = idle_cpu(target.process.pid)
            run_target(
                target, server, ["cut", "black hole", "outage"], args.runs, args.outage, report
            )
        finally:
            stop(target.process)
        acked = 1 + 2 * len(target.breaks)
        stored = stored_reports(database_url)
        report(f"  reports acknowledged {acked}, stored {stored}")
        ok &= stored == acked
        ok &= all(b.seconds <= TARGET_SECONDS and b.cpu_share <= TARGET_CPU for b in target.breaks)
        if args.before_runs:
            report("bare Bolt app on slack_sdk's built-in client (the previous setup) …")
            log = workdir / "builtin.log"
            before = Target(
                "built-in client (before)",
                start([sys.executable, __file__, "--serve-builtin"], env, log),
                log,
            )
            targets.append(before)
            try:
                server.wait_connections(server.connections + 1, timeout=120)
                run_target(
                    before, server, ["cut", "black hole"], args.before_runs, args.outage, report
                )
            finally:
                stop(before.process)
    finally:
        server.stop()
        web.stop()
    table(targets, idle)
    print(f"\nlogs in {workdir}")
    print(
        f"target: every painpoint reconnect ≤ {TARGET_SECONDS:.0f} s at ≤ {TARGET_CPU:.0%} CPU, nothing lost: {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
