"""Hostile requests against a real `painpoint run --http`: nothing unverified acts, nothing
answers 5xx or hangs, nothing but what people typed is stored.

Run: .venv/bin/python benchmarks/fuzz.py [-c 8]

Sends the requests of benchmarks/fuzz_cases.py (about 1,700: bad timestamps and signatures,
malformed bodies, wrong types, NUL and lone surrogates, bad user ids, oversized bodies,
replays, retries, and good reports among them) to a `painpoint run --http` process on a fresh
SQLite database whose Web API is the local stand-in. First every unverified request (nothing
may reach Slack or the database), then every signed one, shuffled, `-c` at a time. Then it
reads every stored row (opening the sealed ones) and checks:

- 0 answers ≥ 500, 0 answers slower than 3 s (or none at all);
- 0 junk rows: every row's text is one a person typed in a request that may store it;
- 0 outgoing Slack calls (Web API or response_url) and 0 rows during the unverified phase;
- every good report is answered without an error, and if it got a 200 it is stored, once.

Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ack_latency import free_port  # noqa: E402
from benchmarks.fuzz_cases import Case, all_cases, signed_headers  # noqa: E402
from benchmarks.servers import clean_env, start_http, stop  # noqa: E402
from bot.privacy.seal import Sealer  # noqa: E402
from tests.slack_requests import SIGNING_SECRET  # noqa: E402
from tests.slack_stand_in import SlackStandIn  # noqa: E402

SECRET_KEY = "benchmark-secret-key-0123456789"
HANG_SECONDS = 3.0


@dataclass
class Answer:
    case: Case
    status: int  # 0: no answer (connection error or timeout)
    seconds: float
    body: bytes = b""

    @property
    def failed(self) -> bool:
        """503 (Slack retries), or a 200 whose reply says something went wrong."""
        return self.status >= 500 or b"something went wrong" in self.body


def send(port: int, case: Case) -> Answer:
    headers = {"Content-Type": case.content_type, "Content-Length": str(len(case.body))}
    if case.signed:
        headers.update(signed_headers(case.body))
    headers.update(case.headers)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    try:
        connection.putrequest("POST", "/slack/events", skip_accept_encoding=True)
        for name, value in headers.items():
            # Raw header bytes: some cases carry values http.client would refuse as text.
            connection.putheader(name.encode(), value.encode("utf-8", "surrogateescape"))
        connection.endheaders(case.body)
        response = connection.getresponse()
        body = response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status, body = 0, b""
    finally:
        connection.close()
    return Answer(case, status, time.perf_counter() - started, body[:4000])


def fire(port: int, cases: list[Case], concurrency: int) -> list[Answer]:
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(lambda case: send(port, case), cases))


def stored_texts(database_url: str) -> list[str]:
    """Every stored report's text, opening the rows still sealed for the privacy step."""
    sealer = Sealer(SECRET_KEY)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT text, sealed, pending_scrub FROM painpoints")).all()
    engine.dispose()
    return [str(sealer.open(sealed)["text"]) if pending else str(t) for t, sealed, pending in rows]


PLACEHOLDER = re.compile(r"\\\[[a-z]+\\\]")


def typed_by_someone(stored: str, allowed: set[str]) -> str | None:
    """The allowed text a stored row came from, or None for junk.

    The full scrub (names, addresses) may have replaced words with placeholders such as
    `[name]`; each placeholder stands for one or more characters of the original.
    """
    if stored in allowed:
        return stored
    pattern = re.compile(PLACEHOLDER.sub(".+?", re.escape(stored)))
    if pattern.pattern == re.escape(stored):
        return None
    return next((text for text in allowed if pattern.fullmatch(text)), None)


def count_rows(database_url: str) -> dict[str, int]:
    """Rows in every table of the database."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        counts = {
            table: int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())
            for table in inspect(connection).get_table_names()
        }
    engine.dispose()
    return counts


def summarise(answers: list[Answer]) -> list[str]:
    lines = ["| phase | category | requests | answers | 5xx | no answer | > 3 s | slowest s |"]
    lines.append("|---|---|---|---|---|---|---|---|")
    groups: dict[tuple[str, str], list[Answer]] = {}
    for answer in answers:
        phase = "signed" if answer.case.signed else "unverified"
        groups.setdefault((phase, answer.case.category), []).append(answer)
    for (phase, category), group in sorted(groups.items()):
        statuses = Counter(a.status for a in group)
        shown = ", ".join(f"{s}×{n}" for s, n in sorted(statuses.items()))
        lines.append(
            f"| {phase} | {category} | {len(group)} | {shown} | "
            f"{sum(1 for a in group if a.status >= 500)} | {statuses[0]} | "
            f"{sum(1 for a in group if a.seconds > HANG_SECONDS)} | "
            f"{max(a.seconds for a in group):.2f} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("-c", type=int, default=8, help="concurrent requests")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()

    stand_in = SlackStandIn().start()
    workdir = Path(tempfile.mkdtemp(prefix="painpoint-fuzz-"))
    database_url = f"sqlite:///{workdir / 'fuzz.db'}"
    port = free_port()
    env = clean_env(
        DATABASE_URL=database_url,
        SLACK_API_URL=stand_in.base_url,
        SLACK_BOT_TOKEN="xoxb-fuzz",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        PAINPOINT_SECRET_KEY=SECRET_KEY,
        PAINPOINT_LOG_LEVEL="INFO",
    )
    cases = all_cases(stand_in.response_url("fuzz"))
    rng = random.Random(args.seed)
    unverified = [c for c in cases if not c.signed]
    signed = [c for c in cases if c.signed]
    rng.shuffle(unverified)
    rng.shuffle(signed)
    log = workdir / "painpoint.log"
    process = start_http(env, port, log)
    try:
        stand_in.settle(quiet=2.0, timeout=60)
        calls_before, rows_before = len(stand_in.calls), count_rows(database_url)
        print(f"{len(unverified)} unverified requests …", flush=True)
        answers = fire(port, unverified, args.c)
        stand_in.settle(quiet=3.0, timeout=60)
        unverified_calls = stand_in.calls[calls_before:]
        unverified_rows = {
            table: n - rows_before.get(table, 0)
            for table, n in count_rows(database_url).items()
            if n != rows_before.get(table, 0)
        }
        print(f"{len(signed)} signed requests …", flush=True)
        answers += fire(port, signed, args.c)
        stand_in.settle(quiet=3.0, timeout=120)
        alive = process.poll() is None
    finally:
        stop(process)
        stand_in.stop()

    texts = stored_texts(database_url)
    allowed = {c.stores for c in cases if c.stores}
    origins = {t: typed_by_someone(t, allowed) for t in set(texts)}
    junk = [t for t in texts if origins[t] is None]
    stored = Counter(origins[t] for t in texts if origins[t] is not None)
    acknowledged = {
        a.case.stores for a in answers if a.case.must_store and a.status == 200 and not a.failed
    }
    # Good reports that failed although nothing is wrong with them: sunk by a bad neighbour in
    # the same write, or by an error on their own.
    good_failed = [a for a in answers if a.case.must_store and (a.status != 200 or a.failed)]
    lost = sorted(t for t in acknowledged if t and t not in stored)
    doubled = sorted(t for t, n in stored.items() if n > 1)
    errors = sum(1 for a in answers if a.status >= 500)
    hangs = sum(1 for a in answers if a.seconds > HANG_SECONDS or a.status == 0)
    unverified_answers = Counter(a.status for a in answers if not a.case.signed)

    print("\n" + "\n".join(summarise(answers)))
    print(f"\nrequests: {len(answers)} ({len(unverified)} unverified, {len(signed)} signed)")
    print(f"answers ≥ 500: {errors}; hangs (> {HANG_SECONDS:.0f} s or no answer): {hangs}")
    print(f"unverified answers: {dict(sorted(unverified_answers.items()))}")
    print(
        f"outgoing Slack calls during the unverified phase: {len(unverified_calls)} "
        f"{sorted(Counter(c.method for c in unverified_calls).items())}; "
        f"rows written then: {unverified_rows}"
    )
    print(f"rows stored: {len(texts)}; junk rows: {len(junk)}")
    for row in junk[:10]:
        print(f"  junk: {row[:120]!r}")
    print(
        f"good reports acknowledged: {len(acknowledged)}; lost: {len(lost)}; "
        f"stored twice: {len(doubled)}"
    )
    print(f"good reports not answered 200 or answered with an error: {len(good_failed)}")
    for kind, n in Counter(f"{a.case.category} {a.status}" for a in good_failed).items():
        print(f"  {kind}: {n}")
    for row in (lost + doubled)[:10]:
        print(f"  {'lost' if row in lost else 'doubled'}: {row[:120]!r}")
    print(f"server still running at the end: {alive}; log: {log}")
    ok = (
        alive
        and errors == 0
        and hangs == 0
        and not junk
        and not unverified_calls
        and not unverified_rows
        and not lost
        and not doubled
        and not good_failed
        and set(unverified_answers) <= {401, 413}
    )
    print(f"targets: {'met' if ok else 'MISSED'}")
    if ok:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
