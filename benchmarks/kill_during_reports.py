"""SIGKILL during 200 concurrent reports: every report that got its 200 is stored, none twice.

Run: .venv/bin/python benchmarks/kill_during_reports.py [-n 200] [--kill-after 60 100 150]
                                                        [--postgres SERVER_URL]

For each kill point K and each database (SQLite; PostgreSQL in a database `kill_bench` created
on the given server, never the tests' own): a fresh database, a real `painpoint run --http`,
and N signed reports sent at once, half as DMs (Events API) and half as `/painpoint <text>`,
each from a different person. When K answers have arrived the process gets SIGKILL; requests
still in flight fail. The process is started again on the same database, and then:

- "acknowledged / stored / doubled" counts the reports that got a 200, those of them found in
  the database (sealed rows are opened), and reports stored more than once;
- Slack's part is replayed too: every DM that got no 200 is delivered again with
  `X-Slack-Retry-Num: 1` (same event id), as Slack would, and the DMs are counted again.

Target: acknowledged = stored and 0 doubled, in every run; after the retries every DM is
stored exactly once. Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ack_latency import free_port, fresh_postgres_database  # noqa: E402
from benchmarks.servers import clean_env, start_http, stop  # noqa: E402
from bot.privacy.seal import Sealer  # noqa: E402
from tests.slack_requests import SIGNING_SECRET, dm_event, event_body, sign, slash_body  # noqa: E402
from tests.slack_stand_in import SlackStandIn  # noqa: E402

SECRET_KEY = "benchmark-secret-key-0123456789"


@dataclass(frozen=True)
class Report:
    kind: str  # "dm" or "slash"
    words: str
    body: str
    content_type: str


@dataclass
class Run:
    database: str
    kill_after: int
    sent: int
    acknowledged: int
    stored_of_acknowledged: int
    stored_unacknowledged: int
    doubled: int
    dms_after_retries: int
    dms: int
    dms_doubled_after_retries: int
    by_kind: dict[str, tuple[int, int]]  # kind -> (acknowledged, stored of them)

    @property
    def ok(self) -> bool:
        return (
            self.acknowledged == self.stored_of_acknowledged
            and self.doubled == 0
            and self.dms_after_retries == self.dms
            and self.dms_doubled_after_retries == 0
        )


def reports(n: int, tag: str, response_url: str) -> list[Report]:
    made = []
    for i in range(n):
        words = f"kill {tag} report {i} the invoice tool times out"
        user = f"UK{i:05d}"
        if i % 2:
            body = slash_body(words, user=user, response_url=response_url)
            made.append(Report("slash", words, body, "application/x-www-form-urlencoded"))
        else:
            body = event_body(dm_event(words, user=user), event_id=f"EvK{tag}{i:05d}")
            made.append(Report("dm", words, body, "application/json"))
    return made


def post(url: str, report: Report, retry: bool = False) -> int:
    headers = {"Content-Type": report.content_type, **sign(report.body)}
    if retry:
        headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    request = urllib.request.Request(url, data=report.body.encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def stored(database_url: str) -> Counter[str]:
    """How often each report text is stored (sealed rows opened)."""
    sealer = Sealer(SECRET_KEY)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT text, sealed, pending_scrub FROM painpoints")).all()
    engine.dispose()
    return Counter(
        str(sealer.open(sealed)["text"]) if pending else str(t) for t, sealed, pending in rows
    )


def one_run(
    database: str, database_url: str, kill_after: int, n: int, workdir: Path, stand_in: SlackStandIn
) -> Run:
    tag = f"{database}{kill_after}"
    env = clean_env(
        DATABASE_URL=database_url,
        SLACK_API_URL=stand_in.base_url,
        SLACK_BOT_TOKEN="xoxb-kill",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        PAINPOINT_SECRET_KEY=SECRET_KEY,
        PAINPOINT_LOG_LEVEL="INFO",
    )
    log = workdir / f"{tag}.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    process = start_http(env, port, log)
    made = reports(n, tag, stand_in.response_url(tag))
    answers: dict[int, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(n)

    def send(index: int) -> None:
        start.wait()  # all at once
        status = post(url, made[index])
        with lock:
            answers[index] = status
            if status and len([s for s in answers.values() if s]) == kill_after:
                os.kill(process.pid, signal.SIGKILL)

    with ThreadPoolExecutor(n) as pool:
        list(pool.map(send, range(n)))
    process.wait()
    killed = process.returncode == -signal.SIGKILL
    print(f"  {tag}: {'killed' if killed else 'NOT killed'}, restarting", flush=True)
    port = free_port()
    process = start_http(env, port, log)
    try:
        after_kill = stored(database_url)
        acked = [made[i] for i, status in answers.items() if status == 200]
        by_kind = {
            kind: (
                sum(1 for r in acked if r.kind == kind),
                sum(1 for r in acked if r.kind == kind and after_kill[r.words]),
            )
            for kind in ("dm", "slash")
        }
        acked_words = {r.words for r in acked}
        retry_url = f"http://127.0.0.1:{port}/slack/events"
        unacked_dms = [r for r in made if r.kind == "dm" and r.words not in acked_words]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda r: post(retry_url, r, retry=True), unacked_dms))
        after_retries = stored(database_url)
    finally:
        stop(process)
    dms = [r for r in made if r.kind == "dm"]
    return Run(
        database=database,
        kill_after=kill_after,
        sent=n,
        acknowledged=len(acked),
        stored_of_acknowledged=sum(1 for r in acked if after_kill[r.words]),
        stored_unacknowledged=sum(
            1 for r in made if r.words not in acked_words and after_kill[r.words]
        ),
        doubled=sum(1 for r in made if after_kill[r.words] > 1),
        dms_after_retries=sum(1 for r in dms if after_retries[r.words]),
        dms=len(dms),
        dms_doubled_after_retries=sum(1 for r in dms if after_retries[r.words] > 1),
        by_kind=by_kind,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("-n", type=int, default=200, help="concurrent reports per run")
    parser.add_argument("--kill-after", type=int, nargs="+", default=[60, 100, 150])
    parser.add_argument(
        "--postgres", default=None, help="PostgreSQL server URL (its database is not touched)"
    )
    parser.add_argument("--database-name", default="kill_bench")
    args = parser.parse_args()

    stand_in = SlackStandIn().start()
    workdir = Path(tempfile.mkdtemp(prefix="painpoint-kill-"))
    runs: list[Run] = []
    try:
        for kill_after in args.kill_after:
            targets = [("sqlite", f"sqlite:///{workdir / f'kill{kill_after}.db'}")]
            if args.postgres:
                # Created and dropped from the server's maintenance database.
                admin = make_url(args.postgres).set(database="postgres")
                admin_url = admin.render_as_string(hide_password=False)
                targets.append(
                    ("postgresql", fresh_postgres_database(admin_url, args.database_name))
                )
            for database, database_url in targets:
                print(f"{database}, SIGKILL after {kill_after} answers …", flush=True)
                runs.append(one_run(database, database_url, kill_after, args.n, workdir, stand_in))
    finally:
        stand_in.stop()

    print(
        f"\n{args.n} concurrent signed reports (half DMs, half /painpoint), SIGKILL after K answers\n"
    )
    print(
        "| database | K | acknowledged | stored | doubled | DMs ack / stored | slash ack / stored "
        "| stored without a 200 | DMs stored after Slack's retries |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        print(
            f"| {r.database} | {r.kill_after} | {r.acknowledged} | {r.stored_of_acknowledged} | "
            f"{r.doubled} | {r.by_kind['dm'][0]} / {r.by_kind['dm'][1]} | "
            f"{r.by_kind['slash'][0]} / {r.by_kind['slash'][1]} | {r.stored_unacknowledged} | "
            f"{r.dms_after_retries} of {r.dms} ({r.dms_doubled_after_retries} doubled) |"
        )
    ok = all(r.ok for r in runs)
    print(
        f"\ntarget (acknowledged = stored, 0 doubled, every DM once after retries): {'met' if ok else 'MISSED'}"
    )
    print(f"logs in {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
