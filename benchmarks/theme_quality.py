"""Theme quality on labelled short-text sets: our pipeline vs k-means given the true k.

Usage: .venv/bin/python benchmarks/theme_quality.py [--sets clinc150_test stackoverflow]
       .venv/bin/python benchmarks/theme_quality.py --small    (k × m subsamples, one-offs)
       .venv/bin/python benchmarks/theme_quality.py --titles   (every title, rule breaks)
Embeddings are cached in benchmarks/.cache/ (keyed by set and model). The seconds are
those of ``ThemePipeline.fit`` with precomputed embeddings; the spaCy parser used for
titles is loaded once before timing, like the embedding model.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from clustering.embedding import SentenceTransformerEmbedder  # noqa: E402
from clustering.pipeline import ThemePipeline  # noqa: E402
from clustering.stability import kept_fraction, match_clusters, warm_start_labels  # noqa: E402

CACHE = REPO / "benchmarks" / ".cache"
DEFAULT_SETS = ("clinc150_test", "stackoverflow", "hwu64_test")
# BERTopic 0.17 defaults on the same embeddings (shared/eval/README.md), in seconds.
BERTOPIC_SECONDS = {"clinc150_test": 34.0, "stackoverflow": 35.0}


def data_dir() -> Path:
    """Folder with the labelled CSVs (PAINPOINT_EVAL_DIR, else ../shared/eval)."""
    env = os.environ.get("PAINPOINT_EVAL_DIR")
    return Path(env) if env else REPO.parent / "shared" / "eval"


def load_set(name: str) -> tuple[list[str], np.ndarray]:
    """Texts and integer labels of one labelled set."""
    with open(data_dir() / f"{name}.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["text"] for r in rows]
    _, labels = np.unique([r["label"] for r in rows], return_inverse=True)
    return texts, labels


def cached_embeddings(name: str, texts: list[str], model: str | None = None) -> np.ndarray:
    """Embeddings of texts from the cache, computing (normalised, batch 64) on a miss."""
    embedder = SentenceTransformerEmbedder(model, batch_size=64, show_progress=True)
    digest = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:12]
    path = CACHE / f"{name}__{embedder.model_name.replace('/', '_')}__{digest}.npy"
    if path.exists():
        return np.load(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    vecs = embedder.embed(texts)
    np.save(path, vecs)
    return vecs


def scores(truth: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """NMI and ARI, with unassigned items (-1) counted as one extra group."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return normalized_mutual_info_score(truth, labels), adjusted_rand_score(truth, labels)


def run_ours(texts: list[str], x: np.ndarray, seed: int = 0) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    result = ThemePipeline(random_state=seed).fit(texts, x)
    return result.labels, time.perf_counter() - start


def run_oracle(x: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    from sklearn.cluster import KMeans

    start = time.perf_counter()
    labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit(x).labels_
    return labels, time.perf_counter() - start


def run_bertopic(texts: list[str], x: np.ndarray) -> tuple[np.ndarray, float] | None:
    try:
        from bertopic import BERTopic
    except ImportError:
        return None
    start = time.perf_counter()
    topics, _ = BERTopic().fit_transform(texts, x)
    return np.asarray(topics), time.perf_counter() - start


def stability(texts: list[str], x: np.ndarray, seed: int = 0) -> tuple[float, int, int]:
    """Cluster 10/11 of the items, add the rest, re-cluster warm; share of items keeping ids."""
    rng = np.random.default_rng(seed)
    n = len(texts)
    old_idx = np.sort(rng.permutation(n)[: round(n / 1.1)])
    pipe = ThemePipeline()
    first = pipe.fit([texts[i] for i in old_idx], x[old_idx])
    old_assign = {
        int(i): int(lab) for i, lab in zip(old_idx, first.labels, strict=True) if lab >= 0
    }
    old_cent = {t: first.centroids[t] for t in range(first.n_themes)}
    ids = list(range(n))
    second = ThemePipeline().fit(texts, x, init_labels=warm_start_labels(ids, old_assign))
    match = match_clusters(old_assign, old_cent, second.labels, ids, second.centroids)
    new_assign = {
        i: (match.mapping[int(lab)] if lab >= 0 else None)
        for i, lab in zip(ids, second.labels, strict=True)
    }
    return kept_fraction(old_assign, new_assign), first.n_themes, second.n_themes


def table(rows: list[tuple[str, ...]]) -> str:
    head = ("method", "themes", "NMI", "ARI", "unassigned", "seconds")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def other_mode(args: argparse.Namespace) -> int:
    """--small and --titles: the tables of theme_small_data.py and theme_titles.py."""
    import theme_small_data
    import theme_titles

    chosen = ["--sets", *args.sets] if args.sets else []
    if args.small:
        return theme_small_data.main(["--draws", str(args.draws), *chosen])
    return theme_titles.main(chosen)


def main(argv: list[str] | None = None) -> int:
    # One long loop on purpose: each set prints its table and checks in the order a
    # reader of docs/benchmarks.md expects them.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", help=f"default: {' '.join(DEFAULT_SETS)}")
    parser.add_argument("--no-stability", action="store_true", help="skip the re-clustering test")
    parser.add_argument(
        "--seeds", type=int, default=1, help="also run ours with random_state 1..N-1 (spread)"
    )
    parser.add_argument("--small", action="store_true", help="k × m subsample table instead")
    parser.add_argument("--titles", action="store_true", help="print every title instead")
    parser.add_argument("--draws", type=int, default=8, help="draws per row with --small")
    args = parser.parse_args(argv)
    if args.small or args.titles:
        return other_mode(args)
    args.sets = args.sets or list(DEFAULT_SETS)
    from clustering.titles import load_parser

    load_parser()  # a one-off cost per process, like loading the embedding model
    ok = True
    for name in args.sets:
        texts, truth = load_set(name)
        x = cached_embeddings(name, texts)
        k_true = len(np.unique(truth))
        print(f"\n## {name}: {len(texts)} texts, {k_true} labels\n")
        rows: list[tuple[str, ...]] = []
        ours, t_ours = run_ours(texts, x)
        oracle, t_oracle = run_oracle(x, k_true)
        n_o, a_o = scores(truth, ours)
        n_k, a_k = scores(truth, oracle)
        themes = len(np.unique(ours[ours >= 0]))
        unassigned = float(np.mean(ours < 0))
        rows.append(
            (
                "ours (ThemePipeline defaults)",
                str(themes),
                f"{n_o:.3f}",
                f"{a_o:.3f}",
                f"{unassigned:.1%}",
                f"{t_ours:.1f}",
            )
        )
        rows.append(
            (
                f"KMeans, true k={k_true}, n_init=10",
                str(k_true),
                f"{n_k:.3f}",
                f"{a_k:.3f}",
                "0.0%",
                f"{t_oracle:.1f}",
            )
        )
        bt = run_bertopic(texts, x)
        if bt is None:
            rows.append(("BERTopic defaults", "-", "-", "-", "-", "skipped: not installed"))
        else:
            b_labels, t_b = bt
            n_b, a_b = scores(truth, b_labels)
            rows.append(
                (
                    "BERTopic defaults",
                    str(len(np.unique(b_labels[b_labels >= 0]))),
                    f"{n_b:.3f}",
                    f"{a_b:.3f}",
                    f"{np.mean(b_labels < 0):.1%}",
                    f"{t_b:.1f}",
                )
            )
        for seed in range(1, args.seeds):
            labels, secs = run_ours(texts, x, seed)
            n_s, a_s = scores(truth, labels)
            rows.append(
                (
                    f"ours, random_state={seed}",
                    str(len(np.unique(labels[labels >= 0]))),
                    f"{n_s:.3f}",
                    f"{a_s:.3f}",
                    f"{np.mean(labels < 0):.1%}",
                    f"{secs:.1f}",
                )
            )
            ok = ok and n_s >= n_k and a_s >= a_k
        print(table(rows))
        checks = {
            "NMI >= oracle": n_o >= n_k,
            "ARI >= oracle": a_o >= a_k,
            "themes within [0.5x, 2x] true": 0.5 * k_true <= themes <= 2 * k_true,
            "unassigned <= 10%": unassigned <= 0.10,
        }
        if name in BERTOPIC_SECONDS:
            limit = BERTOPIC_SECONDS[name] / 3
            checks[f"time <= 1/3 of BERTopic ({limit:.1f} s)"] = t_ours <= limit
        if not args.no_stability:
            start = time.perf_counter()
            kept, k1, k2 = stability(texts, x)
            checks["stability >= 95%"] = kept >= 0.95
            print(
                f"\nstability: cluster 10/11 of the items ({k1} themes), add the rest and "
                f"re-cluster warm ({k2} themes): {kept:.1%} of previously assigned items "
                f"keep their theme id ({time.perf_counter() - start:.1f} s)"
            )
        print()
        for check, passed in checks.items():
            print(f"- {check}: {'PASS' if passed else 'FAIL'}")
            ok = ok and passed
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
