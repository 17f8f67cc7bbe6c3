"""Time and peak memory of ThemePipeline.fit on 1k/10k/50k precomputed embeddings.

Usage: .venv/bin/python benchmarks/theme_scale.py [--sizes 1000 10000 50000]
Each size runs in a fresh subprocess so that peak RSS (ru_maxrss) belongs to that size;
the spaCy parser used for titles is loaded before timing (and counts in the RSS).
Items are sampled from the cached clinc150 + stackoverflow embeddings (run
theme_quality.py once first) and jittered, so 50k rows are not 50k exact copies.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def synthetic(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """n texts and embeddings resampled (with small noise) from both labelled sets."""
    from theme_quality import cached_embeddings, load_set

    texts: list[str] = []
    vecs: list[np.ndarray] = []
    for name in ("clinc150_test", "stackoverflow"):
        t, _ = load_set(name)
        texts += t
        vecs.append(cached_embeddings(name, t))
    pool = np.vstack(vecs)
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(pool), n, replace=n > len(pool))
    # noise of norm ~0.15: a paraphrase-sized move, far below the gap between topics
    x = pool[idx] + rng.normal(0.0, 0.15 / np.sqrt(pool.shape[1]), (n, pool.shape[1]))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return [texts[i] for i in idx], x.astype(np.float32)


def child(n: int) -> dict[str, float]:
    """Run one size in this process and report seconds and memory."""
    import torch

    from clustering.pipeline import ThemePipeline
    from clustering.titles import load_parser

    torch.set_num_threads(2)
    texts, x = synthetic(n)
    load_parser()  # once per process, like the embedding model: not part of the fit
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    result = ThemePipeline().fit(texts, x)
    seconds = time.perf_counter() - start
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "n": n,
        "seconds": seconds,
        "themes": result.n_themes,
        "unassigned": result.n_unassigned / n,
        "rss_before_mib": base_rss,
        "peak_rss_mib": peak_rss,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    print("| items | themes | unassigned | seconds | peak RSS (MiB) | RSS before fit (MiB) |")
    print("|---|---|---|---|---|---|")
    ok = True
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n)],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {n:,} | {r['themes']} | {r['unassigned']:.1%} | {r['seconds']:.1f} "
            f"| {r['peak_rss_mib']:.0f} | {r['rss_before_mib']:.0f} |",
            flush=True,
        )
        if n >= 50000:
            ok = ok and r["seconds"] <= 60 and r["peak_rss_mib"] <= 4096
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
