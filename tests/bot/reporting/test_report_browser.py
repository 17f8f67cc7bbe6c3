"""The HTML audit report opened in headless Chromium: it renders, logs no console errors and
loads nothing from the network. The screenshot goes to test-artifacts/ (git-ignored)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from matplotlib import image as mpimg

from bot.db.session import make_engine, make_session_factory
from bot.reporting.report import render
from bot.services.insights import ThemeInsights
from bot.services.theme_status import ThemeStatusService
from tests.bot.reporting.factories import seed_theme

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SECRET_TITLE = "Complaint about Bob in payroll"


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """A Chromium already on this machine; the test never installs one (`.ci/run` installs
    Debian's chromium for CI)."""
    found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if found is None and CHROMIUM.exists():
        found = str(CHROMIUM)
    if found is None:
        pytest.skip(
            "no Chromium browser found (looked for " + ", ".join(BROWSERS) + " on PATH and "
            f"{CHROMIUM}); install one (Debian: apt-get install chromium) to run this test"
        )
    return Path(found)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_chromium(chromium: Path, page: Path, profile: Path, *extra: str) -> Run:
    args = [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1200,2000",
        *extra,
        page.as_uri(),
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=180)
    return Run(done.returncode, done.stdout, done.stderr)


def console_errors(stderr: str) -> list[str]:
    """Lines where the page itself complained: uncaught errors or any console message
    (the report has no scripts, so any console line is a failed load or a CSP/other error)."""
    return [
        line
        for line in stderr.splitlines()
        if "Uncaught" in line or ":CONSOLE" in line or "Not allowed to load" in line
    ]


@pytest.fixture
def report_file(sqlite_url: str, tmp_path: Path) -> Path:
    engine = make_engine(sqlite_url)
    session_factory = make_session_factory(engine)
    try:
        for index, title in enumerate(
            [
                "Expense approvals wait on one person",
                "VPN drops every hour <and> reconnecting is slow & painful",
                "Month-end close copies numbers between spreadsheets",
            ]
        ):
            seeded = seed_theme(
                session_factory,
                title,
                reporters=3 + index * 2,
                reports_per_reporter=2,
                days_ago=[1, 5, 9, 16, 23, 30, 44, 60],
                now=NOW,
                category=["workflow_bottleneck", "tools_systems", "data_gap"][index],
                team=["Finance", "Sales", "IT"],
                hours=1.5,
            )
        ThemeStatusService(session_factory, clock=lambda: NOW).set_status(
            theme_id=seeded.theme_id,
            status="wont_fix",
            actor="UMANAGER",
            reason="Replaced in March",
        )
        seed_theme(session_factory, SECRET_TITLE, reporters=2, reports_per_reporter=9, now=NOW)
        report = ThemeInsights(session_factory, min_reporters=3, clock=lambda: NOW).report(
            period="all", with_history=True
        )
    finally:
        engine.dispose()
    path = tmp_path / "painpoint-report.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    return path


def test_the_html_report_renders_in_chromium_without_console_errors(
    chromium: Path, report_file: Path, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report-chromium.png"
    screenshot.unlink(missing_ok=True)

    shot = run_chromium(
        chromium, report_file, tmp_path / "profile-shot", f"--screenshot={screenshot}"
    )
    dom = run_chromium(chromium, report_file, tmp_path / "profile-dom", "--dump-dom")

    assert shot.returncode == 0, shot.stderr[-2000:]
    assert console_errors(shot.stderr) == []
    assert console_errors(dom.stderr) == []
    assert screenshot.exists()
    assert screenshot.stat().st_size > 20_000
    pixels = mpimg.imread(screenshot)
    assert pixels.shape[:2] == (2000, 1200)
    assert float(pixels[..., :3].std()) > 0.02, "the screenshot is not a blank page"

    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Expense approvals wait on one person" in dom.stdout
    assert "VPN drops every hour &lt;and&gt; reconnecting is slow &amp; painful" in dom.stdout
    assert "Held back: 1 smaller signals (18 reports)" in dom.stdout
    assert SECRET_TITLE not in dom.stdout
    assert "<script" not in dom.stdout


def test_the_console_check_catches_a_page_error(chromium: Path, tmp_path: Path) -> None:
    """The check above can fail: a page that throws is caught by it."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!doctype html><title>broken</title><p>x</p><script>throw new Error('boom')</script>",
        encoding="utf-8",
    )

    run = run_chromium(chromium, page, tmp_path / "profile", "--dump-dom")

    assert any("boom" in line for line in console_errors(run.stderr)), run.stderr[-2000:]
