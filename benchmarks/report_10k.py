"""End-to-end time of `painpoint report --format html` on 10,000 pain points.

Run: .venv/bin/python benchmarks/report_10k.py [-n 10000] [--themes 40] [--repeat 3]

Builds a temporary SQLite database (migrated like production) holding N pain points with
384-dimensional embeddings, spread over ~40 themes of very different sizes (a few of them
below the minimum of 3 reporters) plus unassigned reports, over 180 days. Then runs the real
console script `painpoint report --format html --out …` as a subprocess and times it from
start to exit; the target is under 30 s. Finally it checks the report (every passing theme
listed, no smaller theme named) and times the two in-process stages, for the record.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import PainPoint, Theme, ThemeEvent  # noqa: E402
from bot.db.session import make_engine, make_session_factory  # noqa: E402

PAINPOINT = Path(sys.executable).with_name("painpoint")
TARGET_SECONDS = 30.0
DIMENSIONS = 384
SMALL_THEMES = 4  # themes with only two reporters: must be suppressed
CATEGORIES = ["workflow_bottleneck", "repetitive_task", "data_gap", "customer_facing",
              "tools_systems", "other", None]  # fmt: skip
TEAMS = ["Finance", "Sales", "IT", "Support", "Operations", "Legal", "HR", None]
TOPICS = ["invoices", "approvals", "VPN", "reporting", "onboarding", "month-end close",
          "CRM", "printing", "expenses", "rosters"]  # fmt: skip
NOW = datetime.now(UTC)


def seed(database_url: str, count: int, themes: int, seed_value: int = 7) -> dict[str, list[str]]:
    """Write the data set; returns the titles that must and must not appear."""
    rng = np.random.default_rng(seed_value)
    engine = make_engine(database_url)
    session_factory = make_session_factory(engine)
    titles: dict[str, list[str]] = {"passing": [], "small": []}
    with session_factory() as session, session.begin():
        theme_ids: list[int] = []
        for index in range(themes):
            small = index >= themes - SMALL_THEMES
            title = (
                f"Small signal {index} about {TOPICS[index % len(TOPICS)]}"
                if small
                else f"Theme {index}: {TOPICS[index % len(TOPICS)]} take too long"
            )
            titles["small" if small else "passing"].append(title)
            theme = Theme(
                title=title,
                keywords=[TOPICS[index % len(TOPICS)], "slow", "manual"],
                size=0,
                reporters=0,
                status=["new", "under_review", "piloting", "addressed"][index % 4],
            )
            session.add(theme)
            session.flush()
            theme_ids.append(theme.id)
            if index % 5 == 0:
                session.add(
                    ThemeEvent(
                        theme_id=theme.id,
                        kind="status",
                        detail={"status": theme.status, "reason": None},
                        actor="UMANAGER",
                    )
                )
    # Sizes follow a long tail; 10% of reports are not in any theme yet.
    passing = themes - SMALL_THEMES
    weights = 1.0 / np.arange(1, passing + 1) ** 0.8
    weights /= weights.sum()
    assigned = int(count * 0.9) - SMALL_THEMES * 6
    choices = rng.choice(passing, size=assigned, p=weights)
    plan: list[tuple[int | None, str]] = [
        (theme_ids[i], f"r{rng.integers(0, 900)}") for i in choices
    ]
    for small_index in range(SMALL_THEMES):
        # Many reports, but from two people only.
        plan += [
            (theme_ids[passing + small_index], f"small{small_index}-{j % 2}") for j in range(6)
        ]
    plan += [(None, f"r{rng.integers(0, 900)}") for _ in range(count - len(plan))]
    centres = {tid: rng.normal(size=DIMENSIONS) for tid in theme_ids}
    rows = []
    for n, (theme_id, reporter) in enumerate(plan):
        text = (
            f"Report {n}: the {TOPICS[n % len(TOPICS)]} step is manual and slow, "
            f"I lose about {n % 7 + 1} hours a week copying things between systems."
        )
        vector = (centres[theme_id] if theme_id else np.zeros(DIMENSIONS)) + rng.normal(
            scale=0.3, size=DIMENSIONS
        )
        vector /= np.linalg.norm(vector)
        rows.append(
            {
                "text": text,
                "text_hash": hashlib.sha256(text.encode()).hexdigest(),
                "source": "slash",
                "category": CATEGORIES[n % len(CATEGORIES)],
                "frequency": ["daily", "weekly", "monthly", None][n % 4],
                "hours_per_week": float(n % 7 + 1) if n % 3 else None,
                "team": TEAMS[int(rng.integers(0, len(TEAMS)))],
                "reporter": reporter,
                "keep_posted": False,
                "created_at": NOW - timedelta(days=float(rng.uniform(0, 180))),
                "updated_at": NOW,
                "embedding": vector.astype(np.float32).tobytes(),
                "embedding_model": "all-MiniLM-L6-v2",
                "theme_id": theme_id,
            }
        )
    with engine.begin() as connection:
        for start in range(0, len(rows), 2000):
            connection.execute(insert(PainPoint), rows[start : start + 2000])
    engine.dispose()
    return titles


def run_report(database_url: str, out: Path, workdir: Path) -> float:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "PAINPOINT_")) and key != "DATABASE_URL"
    }
    env["DATABASE_URL"] = database_url
    started = time.perf_counter()
    done = subprocess.run(
        [str(PAINPOINT), "report", "--format", "html", "--out", str(out)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"painpoint report failed ({done.returncode}):\n{done.stderr}")
    return seconds


def stages(database_url: str) -> tuple[float, float]:
    """In-process: building the summaries, and rendering the HTML (chart included)."""
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
    parser.add_argument("--themes", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="painpoint-report-bench-") as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite:///{workdir / 'bench.db'}"
        upgrade(database_url)
        started = time.perf_counter()
        titles = seed(database_url, args.count, args.themes)
        print(f"seeded {args.count:,} pain points, {args.themes} themes "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip

        out = workdir / "report.html"
        times = [run_report(database_url, out, workdir) for _ in range(args.repeat)]
        document = out.read_text(encoding="utf-8")
        missing = [t for t in titles["passing"] if t not in document]
        leaked = [t for t in titles["small"] if t in document]
        if missing or leaked:
            raise SystemExit(f"bad report: missing {missing[:3]}, leaked {leaked[:3]}")
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
          f"{len(titles['small'])} smaller signals suppressed")  # fmt: skip
    print()
    print("| measure | seconds |")
    print("|---|---|")
    for n, seconds in enumerate(times, start=1):
        print(f"| `painpoint report --format html` end to end, run {n} | {seconds:.2f} |")
    print(f"| median of {len(times)} runs | {median:.2f} |")
    print(f"| in process: summaries (`ThemeInsights.report`) | {build:.2f} |")
    print(f"| in process: HTML with chart (`render`) | {render:.2f} |")
    print()
    print(f"{verdict}: worst run {worst:.2f} s against a target of {TARGET_SECONDS:.0f} s")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
