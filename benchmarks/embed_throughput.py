"""Texts per second: the pipeline's embedder vs bare ``model.encode`` on the same texts.

Usage: .venv/bin/python benchmarks/embed_throughput.py [--n 5000] [--set stackoverflow]
Runs alternate (bare, ours, bare, ours, ...) and the best of each is reported, so that
a neighbour's CPU use hurts both sides alike.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from theme_quality import load_set  # noqa: E402

from clustering.embedding import SentenceTransformerEmbedder  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="stackoverflow")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    texts, _ = load_set(args.set)
    texts = texts[: args.n]
    embedder = SentenceTransformerEmbedder(batch_size=64)
    model = embedder.model
    embedder.embed(texts[:256])  # warm-up: first calls pay for lazy initialisation

    def bare() -> None:
        model.encode(
            texts,
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def ours() -> None:
        embedder.embed(texts)

    with_bar = SentenceTransformerEmbedder(batch_size=64, show_progress=True)

    def ours_progress() -> None:
        with_bar.embed(texts)

    runs = {
        "bare model.encode": bare,
        "SentenceTransformerEmbedder.embed": ours,
        "... with show_progress=True (chunks of 4096)": ours_progress,
    }
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.rounds):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    print(f"{len(texts)} texts from {args.set}, batch 64, best of {args.rounds}\n")
    print("| embedder | seconds | texts/s |")
    print("|---|---|---|")
    for name, seconds in best.items():
        print(f"| {name} | {seconds:.1f} | {len(texts) / seconds:.0f} |")
    ratio = best["bare model.encode"] / best["SentenceTransformerEmbedder.embed"]
    print(f"\npipeline throughput = {ratio:.1%} of bare model.encode")
    return 0 if ratio >= 0.9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
