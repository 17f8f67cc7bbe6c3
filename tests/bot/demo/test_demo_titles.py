"""Theme titles on the bundled sample data follow the title rules (real model)."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from clustering.embedding import SentenceTransformerEmbedder
from clustering.pipeline import ThemePipeline
from clustering.titles import duplicate_titles, title_problems

pytestmark = pytest.mark.slow


def test_titles_on_the_demo_data_follow_the_title_rules(
    real_embedder: SentenceTransformerEmbedder,
) -> None:
    """Every title on the bundled sample data: 2–6 words from the reports, no filler, no
    keyword stack, no duplicates, under the minimum-reporter rule (reporters known)."""
    source = resources.files("bot.demo").joinpath("sample_painpoints.csv")
    with source.open("r", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [row["text"] for row in rows]
    reporters = [row.get("reporter") or f"anonymous-{n}" for n, row in enumerate(rows)]

    result = ThemePipeline(embedder=real_embedder, min_reporters=3).fit(
        texts, real_embedder.embed(texts), reporter_ids=reporters
    )

    titles = [theme.title for theme in result.themes]
    assert len(titles) >= 5
    assert {title: title_problems(title) for title in titles if title_problems(title)} == {}
    assert duplicate_titles(titles) == []
