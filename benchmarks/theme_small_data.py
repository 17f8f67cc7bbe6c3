"""Theme quality on small subsamples: k labels × m rows plus one-offs, vs k-means given k.

Usage: .venv/bin/python benchmarks/theme_small_data.py [--sets ...] [--draws 8]

Each draw picks k labels with at least m rows, m rows of each, and 2 single rows from
2 other labels (the one-offs). Ours and the oracle (scikit-learn KMeans given the true
k, n_init=10) cluster the same k·m + 2 rows; both are scored on the k·m topic rows
only, with unassigned rows counted as one extra group. Embeddings come from the cache
shared with theme_quality.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from theme_quality import cached_embeddings, load_set, scores  # noqa: E402

from clustering.embedding import l2_normalise  # noqa: E402
from clustering.pipeline import ThemePipeline  # noqa: E402

ROWS: tuple[tuple[int, int], ...] = ((3, 6), (5, 6), (8, 10), (15, 12), (25, 12))
DEFAULT_SETS = ("clinc150_test", "hwu64_test", "stackoverflow")
N_ONE_OFFS = 2
# A label whose own rows are on average less alike than this (mean pairwise cosine) is a
# topic the embedding does not see: stackoverflow's sharepoint, drupal and magento titles
# (0.06-0.08, against 0.02 for rows of different tags and 0.11-0.39 for the other tags).
LOW_COHERENCE = 0.1

# texts, embeddings -> labels (-1 = unassigned)
Method = Callable[[list[str], np.ndarray], np.ndarray]


@dataclass
class RowResult:
    """Means over the draws of one k × m row."""

    k: int
    m: int
    nmi: float
    ari: float
    oracle_nmi: float
    oracle_ari: float
    themes: float
    themes_within_1: float  # share of draws with a theme count within ±1 of k
    one_offs_unassigned: float
    topic_unassigned: float
    seconds: float
    # diagnostic, no target: topic rows unassigned among labels the embedding sees
    coherent_topic_unassigned: float = float("nan")

    def passes(self) -> dict[str, bool]:
        """The issue's targets for one row."""
        checks = {
            "NMI >= oracle": self.nmi >= self.oracle_nmi,
            "ARI >= oracle": self.ari >= self.oracle_ari,
            "one-offs unassigned >= 70%": self.one_offs_unassigned >= 0.70,
            "topic rows unassigned <= 10%": self.topic_unassigned <= 0.10,
        }
        if self.k <= 8:
            checks["themes within k ± 1"] = abs(self.themes - self.k) <= 1
        return checks


def max_k(truth: np.ndarray, m: int) -> int:
    """Largest k a set can give for m rows per label while leaving labels for one-offs."""
    labels, counts = np.unique(truth, return_counts=True)
    return min(int((counts >= m).sum()), len(labels) - N_ONE_OFFS)


def draw(
    truth: np.ndarray, k: int, m: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of k labels × m rows, and of one row from each of 2 other labels."""
    labels, counts = np.unique(truth, return_counts=True)
    topics = rng.choice(labels[counts >= m], min(k, max_k(truth, m)), replace=False)
    others = rng.choice(np.setdiff1d(labels, topics), N_ONE_OFFS, replace=False)
    topic_rows = np.concatenate(
        [rng.choice(np.flatnonzero(truth == t), m, replace=False) for t in topics]
    )
    one_off_rows = np.array([rng.choice(np.flatnonzero(truth == t)) for t in others])
    return topic_rows, one_off_rows


def label_coherence(x: np.ndarray, truth: np.ndarray, sample: int = 200) -> dict[int, float]:
    """Mean pairwise cosine of each label's rows (at most ``sample`` rows, seeded)."""
    rng = np.random.default_rng(0)
    unit = l2_normalise(x)
    out: dict[int, float] = {}
    for label in np.unique(truth):
        rows = np.flatnonzero(truth == label)
        rows = rng.choice(rows, min(sample, len(rows)), replace=False)
        sims = unit[rows] @ unit[rows].T
        out[int(label)] = float(sims[~np.eye(len(rows), dtype=bool)].mean())
    return out


def row_draws(
    truth: np.ndarray, k: int, m: int, draws: int, seed: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The fixed draws of one k × m row (k already capped by ``max_k``)."""
    rng = np.random.default_rng([seed, k, m])
    for _ in range(draws):
        yield draw(truth, k, m, rng)


def pipeline_method(seed: int = 0) -> Method:
    """The default ThemePipeline as a benchmark method."""

    def run(texts: list[str], x: np.ndarray) -> np.ndarray:
        return ThemePipeline(random_state=seed).fit(texts, x).labels

    return run


def oracle(x: np.ndarray, k: int) -> np.ndarray:
    """KMeans given the true k (n_init=10, random_state=0)."""
    from sklearn.cluster import KMeans

    return np.asarray(KMeans(n_clusters=k, n_init=10, random_state=0).fit(x).labels_)


def run_row(
    texts: list[str],
    x: np.ndarray,
    truth: np.ndarray,
    k: int,
    m: int,
    method: Method,
    draws: int = 8,
    seed: int = 0,
    coherent: set[int] | None = None,
) -> RowResult:
    """Mean scores of ours and the oracle over ``draws`` subsamples of one row.

    ``coherent`` (labels the embedding sees) adds the diagnostic share of their topic
    rows left unassigned.
    """
    k = min(k, max_k(truth, m))  # stackoverflow has 20 labels: its 25 × 12 row is 18 × 12
    acc: dict[str, list[float]] = {}
    left_out_coherent = [0, 0]  # topic rows of coherent labels: unassigned, all
    for topic, one_offs in row_draws(truth, k, m, draws, seed):
        rows = np.concatenate([topic, one_offs])
        start = time.perf_counter()
        labels = method([texts[i] for i in rows], x[rows])
        secs = time.perf_counter() - start
        ours_topic = labels[: len(topic)]
        n, a = scores(truth[topic], ours_topic)
        on, oa = scores(truth[topic], oracle(x[rows], k)[: len(topic)])
        themes = len(np.unique(labels[labels >= 0]))
        for key, value in (
            ("nmi", n),
            ("ari", a),
            ("oracle_nmi", on),
            ("oracle_ari", oa),
            ("themes", themes),
            ("themes_within_1", float(abs(themes - k) <= 1)),
            ("one_offs_unassigned", float(np.mean(labels[len(topic) :] < 0))),
            ("topic_unassigned", float(np.mean(ours_topic < 0))),
            ("seconds", secs),
        ):
            acc.setdefault(key, []).append(float(value))
        if coherent is not None:
            seen = np.isin(truth[topic], sorted(coherent))
            left_out_coherent[0] += int((seen & (ours_topic < 0)).sum())
            left_out_coherent[1] += int(seen.sum())
    means = {key: float(np.mean(values)) for key, values in acc.items()}
    if left_out_coherent[1]:
        means["coherent_topic_unassigned"] = left_out_coherent[0] / left_out_coherent[1]
    return RowResult(k=k, m=m, **means)


def run_set(
    name: str,
    method: Method,
    draws: int = 8,
    rows: tuple[tuple[int, int], ...] = ROWS,
    seed: int = 0,
) -> list[RowResult]:
    """Every row of the small-data table on one labelled set."""
    texts, truth = load_set(name)
    x = cached_embeddings(name, texts)
    coherent = {label for label, c in label_coherence(x, truth).items() if c >= LOW_COHERENCE}
    return [run_row(texts, x, truth, k, m, method, draws, seed, coherent) for k, m in rows]


def table(results: list[RowResult]) -> str:
    """Markdown table, one line per row, with failed targets marked by *."""
    head = (
        "k × m",
        "ours NMI / ARI",
        "oracle NMI / ARI",
        "themes (draws within k±1)",
        "one-offs unassigned",
        "topic rows unassigned",
        "… of labels the embedding sees",
        "seconds",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        bad = {name for name, ok in r.passes().items() if not ok}

        def mark(text: str, *checks: str, bad: set[str] = bad) -> str:
            return text + (" *" if bad & set(checks) else "")

        lines.append(
            "| "
            + " | ".join(
                (
                    f"{r.k} × {r.m}",
                    mark(f"{r.nmi:.3f} / {r.ari:.3f}", "NMI >= oracle", "ARI >= oracle"),
                    f"{r.oracle_nmi:.3f} / {r.oracle_ari:.3f}",
                    mark(f"{r.themes:.1f} ({r.themes_within_1:.0%})", "themes within k ± 1"),
                    mark(f"{r.one_offs_unassigned:.0%}", "one-offs unassigned >= 70%"),
                    mark(f"{r.topic_unassigned:.1%}", "topic rows unassigned <= 10%"),
                    f"{r.coherent_topic_unassigned:.1%}",
                    f"{r.seconds:.2f}",
                )
            )
            + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS))
    parser.add_argument("--draws", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0, help="seed of the draws")
    args = parser.parse_args(argv)
    from clustering.titles import load_parser

    load_parser()  # loaded once per process, like the embedding model: not timed
    ok = True
    for name in args.sets:
        results = run_set(name, pipeline_method(), args.draws, seed=args.seed)
        print(f"\n## {name} ({args.draws} draws per row; * = target missed)\n")
        print(table(results), flush=True)
        ok = ok and all(all(r.passes().values()) for r in results)
    print("\nall targets met" if ok else "\nsome targets missed (marked *)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
