"""Every theme title on labelled sets, with the ones that break the title rules.

Usage: .venv/bin/python benchmarks/theme_titles.py [--sets clinc150_test hwu64_test]
The sets carry no reporter ids, so titles need words from two texts of the theme (the
minimum-reporter rule for words applies only when reporters are known). A second run
gives every text its own reporter, as the bot sees distinct people, so each title word
must come from 3 of them; its line counts the themes left unnamed and the keyword pairs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from theme_quality import cached_embeddings, load_set  # noqa: E402

from clustering.describe import DEFAULT_MIN_REPORTERS  # noqa: E402
from clustering.pipeline import ThemePipeline  # noqa: E402
from clustering.titles import (  # noqa: E402
    FALLBACK_TITLE,
    duplicate_titles,
    is_unnamed,
    title_problems,
)

DEFAULT_SETS = ("clinc150_test", "hwu64_test")


def privacy_summary(name: str, texts: list[str], titles: list[str]) -> tuple[str, int]:
    """One line on the titles when every text has its own reporter (the bot's rule), and
    how many of them break a title rule or repeat another."""
    reporters = [f"reporter-{i}" for i in range(len(texts))]
    result = ThemePipeline().fit(texts, cached_embeddings(name, texts), reporter_ids=reporters)
    ruled = [t.title for t in result.themes]
    unnamed = sum(is_unnamed(t) for t in ruled)
    by_keyword = sum(is_unnamed(t) and not t.startswith(FALLBACK_TITLE) for t in ruled)
    pairs = sum(" and " in t for t in ruled)
    changed = len(set(ruled) - set(titles))
    bad = sum(bool(title_problems(t)) for t in ruled) + len(duplicate_titles(ruled))
    line = (
        f"{name}, one reporter per text ({DEFAULT_MIN_REPORTERS} per title word): "
        f"{bad} break the rules or repeat, {unnamed} of {len(ruled)} unnamed "
        f"({by_keyword} of them titled by their one keyword), "
        f"{pairs} of the form 'X and Y', {changed} differ from the list above"
    )
    return line, bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS))
    args = parser.parse_args(argv)
    bad_total = 0
    for name in args.sets:
        texts, _ = load_set(name)
        result = ThemePipeline().fit(texts, cached_embeddings(name, texts))
        titles = [t.title for t in result.themes]
        print(f"\n## {name}: {len(titles)} themes\n")
        print("| # | size | title | problems |")
        print("|---|---|---|---|")
        bad = 0
        for theme in result.themes:
            problems = title_problems(theme.title)
            bad += bool(problems)
            print(f"| {theme.label + 1} | {theme.size} | {theme.title} | {'; '.join(problems)} |")
        dupes = duplicate_titles(titles)
        unnamed = sum(is_unnamed(t) for t in titles)
        print(
            f"\n{name}: {bad} of {len(titles)} titles break the rules, "
            f"{len(dupes)} duplicated, {unnamed} unnamed"
        )
        line, ruled_bad = privacy_summary(name, texts, titles)
        print(line)
        bad_total += bad + len(dupes) + ruled_bad
    return 0 if bad_total == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
