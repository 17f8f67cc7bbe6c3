"""`painpoint report --format html` with the prioritised audit: 10,000 reports, 50 themes and
10 pilots with a year of weekly pulses.

Run: .venv/bin/python benchmarks/report_pilots.py [-n 10000] [--themes 50] [--pilots 10]
                                                  [--participants 25] [--repeat 3]

Seeds a temporary SQLite database like benchmarks/report_10k.py (reports with embeddings,
themes of very different sizes, a few below the minimum of 3 reporters), then starts pilots
on the biggest themes through the real PilotService (outbox campaigns included), backdated a
year, and writes 52 weeks of sent pulses with answers for each participant, plus a custom KPI
logged weekly; half of the pilots are closed. Times the real console script end to end
(target: under 30 s) and the in-process stages, and checks the report.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report_10k import TARGET_SECONDS, run_report, seed  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import Theme  # noqa: E402
from bot.db.nudge_models import NudgeDelivery, NudgeRun  # noqa: E402
from bot.db.pilot_models import Pilot, PilotKpi, PilotKpiValue, PilotPulseAnswer  # noqa: E402
from bot.db.session import make_engine, make_session_factory  # noqa: E402
from bot.domain.kpis import monday  # noqa: E402
from bot.domain.pilots import PilotDraft, parse_kpi  # noqa: E402
from bot.services.pilots import PilotService  # noqa: E402

WEEKS = 52


def seed_pilots(
    database_url: str, pilots: int, participants: int, seed_value: int = 11
) -> list[int]:
    """Pilots on the largest themes, each with a year of weekly pulses and answers."""
    rng = np.random.default_rng(seed_value)
    engine = make_engine(database_url)
    session_factory = make_session_factory(engine)
    year_ago = datetime.now(UTC) - timedelta(weeks=WEEKS)
    service = PilotService(session_factory, min_reporters=3, clock=lambda: year_ago)
    with session_factory() as session:
        theme_ids = list(session.scalars(select(Theme.id).order_by(Theme.id).limit(pilots)))
    ids = []
    for theme_id in theme_ids:
        pilot = service.create(
            PilotDraft(
                theme_id=theme_id,
                owner="UOWNER",
                objective=f"Pilot on theme {theme_id}: automate the manual step",
                kpis=(
                    parse_kpi("reports"),
                    parse_kpi("hours"),
                    parse_kpi("custom:cycle time:days"),
                ),
                start=year_ago.date(),
                end=year_ago.date() + timedelta(weeks=WEEKS + 4),
                targets={"reports": 2.0, "hours": 1.0, "cycle time": 1.0},
                participants=tuple(f"U{theme_id:03d}{n:03d}" for n in range(participants)),
            ),
            created_by="benchmark",
        )
        ids.append(pilot.id)
    rows_run, rows_delivery, rows_answer, rows_value = [], [], [], []
    with session_factory() as session:
        pilot_rows = {p.id: p for p in session.scalars(select(Pilot).where(Pilot.id.in_(ids)))}
        custom = {
            k.pilot_id: k.id
            for k in session.scalars(select(PilotKpi).where(PilotKpi.kind == "custom"))
        }
    run_id = delivery_id = 1_000_000
    for pilot_id in ids:
        pilot = pilot_rows[pilot_id]
        for week in range(WEEKS):
            due = year_ago + timedelta(weeks=week, days=4)
            run_id += 1
            rows_run.append({"id": run_id, "campaign_id": pilot.pulse_campaign_id, "run_key": f"w{week}",
                             "step": 0, "lesson_id": f"pulse:{pilot_id}", "expand_at": due,
                             "status": "expanded", "recipients": participants, "skipped": 0,
                             "errors": [], "created_at": due})  # fmt: skip
            rows_value.append({"kpi_id": custom[pilot_id], "value": float(10 - week * 0.15),
                               "on_date": due.date(), "logged_by": "UOWNER", "logged_at": due})  # fmt: skip
            for person in pilot.participants:
                delivery_id += 1
                rows_delivery.append({"id": delivery_id, "run_id": run_id, "campaign_id": pilot.pulse_campaign_id,
                                      "lesson_id": f"pulse:{pilot_id}", "step": 0, "recipient": person,
                                      "due_at": due, "status": "sent", "attempts": 1, "sent_at": due,
                                      "created_at": due, "updated_at": due})  # fmt: skip
                if rng.random() < 0.7:
                    hours = float(
                        rng.choice([0.0, 0.5, 2.0, 4.0, 6.0], p=[0.1, 0.3, 0.3, 0.2, 0.1])
                    )
                    rows_answer.append({"delivery_id": delivery_id, "pilot_id": pilot_id,
                                        "respondent": f"p-{person}", "hours": hours,
                                        "week": monday(due.date()), "answered_at": due})  # fmt: skip
    with engine.begin() as connection:
        for table, rows in ((NudgeRun, rows_run), (NudgeDelivery, rows_delivery),
                            (PilotPulseAnswer, rows_answer), (PilotKpiValue, rows_value)):  # fmt: skip
            for start in range(0, len(rows), 5000):
                connection.execute(insert(table), rows[start : start + 5000])
    closer = PilotService(session_factory, min_reporters=3)
    for pilot_id in ids[: len(ids) // 2]:
        closer.close(
            pilot_id,
            verdict=["scale", "iterate", "stop"][pilot_id % 3],
            note="Benchmark",
            actor="UOWNER",
        )
    engine.dispose()
    print(
        f"seeded {len(ids)} pilots: {len(rows_delivery):,} pulses sent, {len(rows_answer):,} answers"
    )
    return ids


def stages(database_url: str) -> tuple[float, float]:
    """In-process: building the report with its audit, and rendering the HTML."""
    from bot.reporting.report import render
    from bot.services.insights import ThemeInsights

    engine = make_engine(database_url)
    insights = ThemeInsights(make_session_factory(engine), min_reporters=3)
    started = time.perf_counter()
    report = insights.report(period="all", with_history=True)
    built = time.perf_counter()
    render(report, "html")
    rendered = time.perf_counter()
    engine.dispose()
    return built - started, rendered - built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=10_000)
    parser.add_argument("--themes", type=int, default=50)
    parser.add_argument("--pilots", type=int, default=10)
    parser.add_argument("--participants", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="painpoint-pilots-bench-") as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite:///{workdir / 'bench.db'}"
        upgrade(database_url)
        started = time.perf_counter()
        titles = seed(database_url, args.count, args.themes)
        pilot_ids = seed_pilots(database_url, args.pilots, args.participants)
        print(f"seeded in {time.perf_counter() - started:.1f} s")
        out = workdir / "report.html"
        times = [run_report(database_url, out, workdir) for _ in range(args.repeat)]
        document = out.read_text(encoding="utf-8")
        missing = [t for t in titles["passing"] if t not in document]
        leaked = [t for t in titles["small"] if t in document]
        pilots_shown = [p for p in pilot_ids if f"Pilot #{p}:" in document]
        if missing or leaked or len(pilots_shown) != len(pilot_ids):
            raise SystemExit(
                f"bad report: missing {missing[:3]}, leaked {leaked[:3]}, pilots {pilots_shown}"
            )
        if re.search(r"https?://", document):
            raise SystemExit("bad report: it references the network")
        build, render = stages(database_url)

    median, worst = statistics.median(times), max(times)
    verdict = "PASS" if worst < TARGET_SECONDS else "FAIL"
    print()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"report: {len(document) / 1e6:.2f} MB of HTML, {len(titles['passing'])} themes listed, "
          f"{len(titles['small'])} smaller signals suppressed, {len(pilot_ids)} pilots "
          f"({len(pilot_ids) // 2} closed) with {WEEKS} weeks of pulses each")  # fmt: skip
    print()
    print("| measure | seconds |")
    print("|---|---|")
    for n, seconds in enumerate(times, start=1):
        print(f"| `painpoint report --format html` end to end, run {n} | {seconds:.2f} |")
    print(f"| median of {len(times)} runs | {median:.2f} |")
    print(f"| in process: summaries and audit (`ThemeInsights.report`) | {build:.2f} |")
    print(f"| in process: HTML with charts (`render`) | {render:.2f} |")
    print()
    print(f"{verdict}: worst run {worst:.2f} s against a target of {TARGET_SECONDS:.0f} s")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
