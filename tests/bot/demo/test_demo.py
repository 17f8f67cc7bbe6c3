"""`painpoint demo`: the whole job on the bundled sample, readable in an 80-column terminal."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.demo.run import excerpt, run_demo
from bot.settings import load_settings
from tests.conftest import SECRET_KEY


@pytest.mark.slow
def test_the_demo_shows_its_placeholders_and_fits_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    settings = load_settings(PAINPOINT_SECRET_KEY=SECRET_KEY, PAINPOINT_EMBED_ON_CAPTURE="false")

    # As `make demo` runs it: from the project folder, the database under var/.
    assert run_demo(settings, database_path=Path("var/demo.db"), out=out) == 0

    text = out.getvalue()
    assert [line for line in text.splitlines() if len(line) > 80] == []
    examples = text.split("before storing, for example:\n", 1)[1].split("\n\n", 1)[0]
    lines = examples.splitlines()
    assert len(lines) >= 3
    assert all(re.search(r"\[[a-z]+\]", line) for line in lines), examples
    assert "[email]" in examples and "[phone]" in examples
    assert "themes from 202 reports" in text
    assert (tmp_path / "var" / "demo-report.html").exists()
    assert "tools_systems" not in text and "other " not in text.split("By audit lens:")[1][:400]


@pytest.mark.parametrize(
    "text",
    [
        "short [email] text",
        "x" * 200 + " reach me at [phone] please " + "y" * 200,
        "[name] at the very start " + "z" * 300,
        "no placeholder at all " * 20,
    ],
)
def test_an_excerpt_keeps_the_placeholder_in_view(text: str) -> None:
    cut = excerpt(text, width=74)
    assert len(cut) <= 74
    found = re.search(r"\[[a-z]+\]", text)
    if found:
        assert found.group() in cut
