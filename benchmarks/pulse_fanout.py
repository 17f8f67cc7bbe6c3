"""Pilot pulse fan-out: 2,000 participants, 429 on every 7th message, and a SIGKILL half-way.

Run: .venv/bin/python benchmarks/pulse_fanout.py [-n 2000] [--rate 200] [--every 7]
                                                 [--retry-after 1] [--database-url URL]

The same two runs as benchmarks/fanout.py (one `painpoint worker`; then one killed with
SIGKILL when about half the DMs are out and a new one started), but what goes out is a
pilot's weekly pulse: a pilot is started through PilotService on a theme, with a user group of
N participants, and its pulse campaign is set to fire at once (its start message is left
out, so only pulses are counted). After each run every participant's DM must hold exactly one
pulse, and Slack must have accepted exactly N of them. Exits non-zero otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import fanout  # noqa: E402
from bot.db import migrate  # noqa: E402
from bot.db.nudge_models import NudgeCampaign  # noqa: E402
from bot.db.pilot_models import Pilot  # noqa: E402
from bot.db.session import make_engine, make_session_factory  # noqa: E402
from bot.domain.pilots import PilotDraft, outbox_key, parse_kpi  # noqa: E402
from bot.domain.schedule import Schedule  # noqa: E402
from bot.services.pilots import PilotService  # noqa: E402
from tests.bot.reporting.factories import seed_theme  # noqa: E402
from tests.slack_stand_in import SlackStandIn  # noqa: E402

PULSE = "pulse:"


def prepare(database_url: str, recipients: int, stand_in: SlackStandIn) -> None:
    """A pilot whose participants are one user group of N people; its pulse fires now."""
    migrate.upgrade(database_url)
    stand_in.usergroups["SFANOUT"] = [f"U{n:05d}" for n in range(1, recipients + 1)]
    engine = make_engine(database_url)
    session_factory = make_session_factory(engine)
    theme = seed_theme(session_factory, "Timesheets are entered twice", reporters=3)
    pilot = PilotService(session_factory, min_reporters=3).create(
        PilotDraft(
            theme_id=theme.theme_id,
            owner="UOWNER",
            objective="One timesheet tool",
            kpis=(parse_kpi("hours"),),
            start=date.today(),
            end=date.today() + timedelta(weeks=8),
            participants=("SFANOUT",),
            include_reporters=False,
        ),
        created_by="benchmark",
    )
    now = datetime.now(UTC)
    with session_factory() as session, session.begin():
        row = session.get(Pilot, pilot.id)
        assert row is not None
        for campaign in session.scalars(select(NudgeCampaign)):
            if campaign.id == row.pulse_campaign_id:
                # The weekly pulse, made to fire at once so the run does not wait for Friday.
                campaign.schedule = Schedule(kind="once", start=now, at=now).to_dict()
                campaign.next_run_at = now
            else:
                campaign.status = "cancelled"  # the start message: not what is measured
    engine.dispose()
    global PULSE
    PULSE = outbox_key("pulse", pilot.id)


def check(stand_in: fanout.FanoutStandIn, recipients: int) -> tuple[int, int]:
    """(duplicates, missing) pulses over every participant's DM."""
    duplicates = missing = 0
    for n in range(1, recipients + 1):
        pulses = [
            m
            for m in stand_in.history.get(f"D{n:05d}", [])
            if ((m.get("metadata") or {}).get("event_payload") or {}).get("lesson_id") == PULSE
        ]
        duplicates += max(len(pulses) - 1, 0)
        missing += not pulses
    return duplicates, missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--recipients", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200.0, help="PAINPOINT_NUDGE_RATE")
    parser.add_argument("--every", type=int, default=7, help="429 on every k-th postMessage")
    parser.add_argument("--retry-after", type=int, default=1, help="seconds in each 429")
    parser.add_argument("--threads", type=int, default=4, help="PAINPOINT_NUDGE_THREADS")
    parser.add_argument("--lease", type=int, default=10, help="PAINPOINT_NUDGE_LEASE_SECONDS")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    # The nudge benchmark's runs, with a pilot's pulse in place of a lesson.
    fanout.prepare = prepare
    fanout.check = check
    with tempfile.TemporaryDirectory(prefix="pulse-fanout-") as tmp:
        results = [fanout.run(args, Path(tmp), kill=kill) for kill in (False, True)]
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\npilot pulse to {args.recipients:,} participants, {database}, "
        f"PAINPOINT_NUDGE_RATE={args.rate:g}/s, 429 on every {args.every}th chat.postMessage "
        f"with Retry-After {args.retry_after} s, {args.threads} sender threads\n"
    )
    print(
        "| run | pulses | 429s | fan-out s | total s | budget s | duplicates | missing | exactly once |"
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
                f"\nkill-and-restart: SIGKILL after {r.killed_after:,} pulses; the new worker sent "
                f"again {r.takeover_seconds:.1f} s later (lease expiry); recovery: {r.recovery}"
            )
    return 0 if all(r.exactly_once for r in results) else 1


if __name__ == "__main__":
    threading.current_thread().name = "pulse-fanout"
    sys.exit(main())
