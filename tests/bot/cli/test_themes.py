"""`painpoint cluster`, `painpoint themes` and `painpoint embed` end to end with the real model."""

from __future__ import annotations

import csv
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from bot.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str) -> Path:
    for key in ("SLACK_APP_TOKEN", "PAINPOINT_MIN_REPORTERS", "PAINPOINT_EMBEDDING_MODEL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PAINPOINT_SECRET_KEY", "cli-test-secret-key-0123")
    return tmp_path


def _sample(path: Path, rows: int = 205) -> Path:
    source = resources.files("bot.demo").joinpath("sample_painpoints.csv")
    with source.open("r", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))[:rows]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["answer", "who"])
        writer.writeheader()
        for record in records:
            writer.writerow({"answer": record["text"], "who": record["reporter"]})
    return path


def test_cluster_writes_theme_columns_and_prints_a_table(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _sample(env / "survey.csv")
    with source.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(['=HYPERLINK("http://evil.example","x") n/a', "emp-900"])
        writer.writerow(["x" * 5_000_000, "emp-901"])  # one oversized cell: only its row goes
    monkeypatch.setenv("COLUMNS", "90")

    assert main(["cluster", str(source), "--text-column", "answer", "--out", "out.csv"]) == 0

    captured = capsys.readouterr()
    printed, progress = captured.out, captured.err
    with (env / "out.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 206
    assert list(rows[0])[-2:] == ["theme_id", "theme_title"]
    assert rows[-1]["answer"].startswith("'=HYPERLINK")  # neutralised for spreadsheets
    assigned = [row for row in rows if row["theme_id"]]
    assert len({row["theme_id"] for row in assigned}) >= 5
    non_answers = [
        row for row in rows if row["answer"].strip().lower() in {"n/a", "-", "no comment"}
    ]
    assert non_answers and all(row["theme_id"] == "" for row in non_answers)
    assert "206 rows" in printed
    assert max(len(line) for line in printed.splitlines()) <= 90
    # Quotes shown in the terminal are scrubbed like every other surface.
    assert "@example.com" not in printed
    # The terminal hears about each stage: the model, the batches, the clustering.
    assert "loading the embedding model all-MiniLM-L6-v2… done in" in progress
    assert "embedding:" in progress and "206/206" not in progress
    assert re.search(r"clustering \d+ reports… done in \d+\.\d s", progress)
    assert "skipped 1 row with a cell over 4,000 characters (row 208;" in progress


def test_cluster_refuses_a_missing_column_and_a_malformed_file(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _sample(env / "survey.csv", rows=30)
    assert main(["cluster", str(source), "--text-column", "comment"]) == 2
    assert "comment" in capsys.readouterr().err
    broken = env / "broken.csv"
    broken.write_text('answer,who\n"unclosed quote,emp-1\nmore,emp-2\n', encoding="utf-8")
    assert main(["cluster", str(broken), "--text-column", "answer"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("painpoint: ") and len(error.strip().splitlines()) == 1
    assert main(["cluster", str(env / "missing.csv"), "--text-column", "answer"]) == 2


def test_import_then_themes_recluster_as_json_and_export(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _sample(env / "survey.csv")
    assert (
        main(
            [
                "import",
                str(source),
                "--text-column",
                "answer",
                "--reporter-column",
                "who",
                "--quiet",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["themes", "--recluster", "--format", "json"]) == 0
    themes = json.loads(capsys.readouterr().out)
    assert len(themes) >= 5
    for theme in themes:
        assert {
            "id",
            "title",
            "keywords",
            "size",
            "reporters",
            "quotes",
            "trend",
            "spike",
            "hours_per_week",
            "categories",
            "status",
        } <= set(theme)
        assert theme["reporters"] >= 3
        assert len(theme["quotes"]) <= 3
    assert main(["export", "--what", "themes", "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [t["id"] for t in exported] == [t["id"] for t in themes]
    # A second run keeps the ids.
    assert main(["themes", "--recluster", "--format", "json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert {t["id"] for t in again} == {t["id"] for t in themes}
