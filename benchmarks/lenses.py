"""Accuracy of the zero-shot lens suggestion on labelled reports.

Run: .venv/bin/python benchmarks/lenses.py [--sample benchmarks/data/lens_sample.csv]

Embeds each report with the packaged model (offline) and gives it the lens whose written
descriptions it is closest to (bot.services.lenses.LensSuggester), then prints the accuracy
against the hand labels, per lens, the confusion matrix, and the same on the demo data set
(whose old categories are mapped to lenses: a noisier, second opinion). The descriptions were
written before the sample and tuned only on the demo data, never on the sample.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.domain.lenses import LENSES, lens_key  # noqa: E402
from bot.services.lenses import LensSuggester  # noqa: E402
from clustering.embedding import SentenceTransformerEmbedder  # noqa: E402

SAMPLE = ROOT / "benchmarks" / "data" / "lens_sample.csv"
DEMO = ROOT / "bot" / "demo" / "sample_painpoints.csv"


def labelled(path: Path, label_column: str) -> list[tuple[str, str]]:
    """(text, lens key) for every row whose label maps to a lens."""
    with path.open(encoding="utf-8") as handle:
        rows = [(row["text"], lens_key(row.get(label_column))) for row in csv.DictReader(handle)]
    return [(text, lens) for text, lens in rows if lens]


def evaluate(suggester: LensSuggester, rows: list[tuple[str, str]], title: str) -> float:
    started = time.perf_counter()
    predicted = suggester.suggest_texts([text for text, _ in rows])
    seconds = time.perf_counter() - started
    right = sum(p == truth for p, (_, truth) in zip(predicted, rows, strict=True))
    accuracy = right / len(rows)
    print(f"\n### {title}: {right} of {len(rows)} right, accuracy {accuracy:.0%} "
          f"({seconds:.1f} s to embed and classify)\n")  # fmt: skip
    keys = list(LENSES)
    print("| lens | reports | right | recall | precision |")
    print("|---|---|---|---|---|")
    for key in keys:
        total = sum(1 for _, truth in rows if truth == key)
        chosen = sum(1 for p in predicted if p == key)
        hits = sum(1 for p, (_, truth) in zip(predicted, rows, strict=True) if p == truth == key)
        recall = f"{hits / total:.0%}" if total else "—"
        precision = f"{hits / chosen:.0%}" if chosen else "—"
        print(f"| {LENSES[key]} | {total} | {hits} | {recall} | {precision} |")
    confusion = Counter((truth, p) for p, (_, truth) in zip(predicted, rows, strict=True))
    print("\nConfusion (rows: label, columns: suggestion):\n")
    print("| label \\ suggested | " + " | ".join(LENSES[k].split()[0] for k in keys) + " |")
    print("|---|" + "---|" * len(keys))
    for truth in keys:
        print(f"| {LENSES[truth]} | " + " | ".join(str(confusion[(truth, p)]) for p in keys) + " |")
    return accuracy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default=str(SAMPLE))
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder()
    suggester = LensSuggester(None, lambda: embedder, model_name=embedder.model_name)  # type: ignore[arg-type]
    sample = labelled(Path(args.sample), "lens")
    accuracy = evaluate(suggester, sample, f"Hand-labelled sample ({Path(args.sample).name})")
    evaluate(suggester, labelled(DEMO, "category"), "Demo data, old categories mapped to lenses")
    print(f"\nchance level with {len(LENSES)} lenses: {1 / len(LENSES):.0%}")
    return 0 if accuracy >= 0.6 else 1


if __name__ == "__main__":
    sys.exit(main())
