"""PII scrubbing on labelled pain-point sentences: recall and precision per type, and cost.

Usage: .venv/bin/python benchmarks/pii.py [--errors tune|held_out|all] [--markdown]

Sentences live in benchmarks/data/pii_sentences.jsonl, each with the character spans and
types of its personal data. Every third sentence is held out: thresholds and word lists
were chosen looking only at the other two thirds ("tune"). A gold entity counts as found
when predictions of its type cover all of its letters and digits; a prediction counts as
right when it overlaps a gold entity of its type. "covered" counts a gold entity as safe
whatever placeholder replaced it (the privacy view).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.privacy.scrub import Finding, Scrubber, parse_pii_patterns  # noqa: E402

DATA = REPO / "benchmarks" / "data" / "pii_sentences.jsonl"
# What a company would put in PAINPOINT_PII_PATTERNS for its employee numbers.
ID_PATTERNS = r"employee_id=\b(?:EMP-?\d{5}|E\d{6})\b"
TYPES = ("name", "email", "phone", "card", "iban", "id", "address", "mention", "link", "secret")
RECALL_TARGETS = {"email": 0.95, "phone": 0.95, "card": 0.95, "iban": 0.95, "name": 0.90}
PRECISION_TARGET = 0.95


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    type: str


@dataclass(frozen=True)
class Sentence:
    id: int
    split: str
    text: str
    entities: tuple[Entity, ...]


def load() -> list[Sentence]:
    sentences = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        entities = tuple(Entity(e["start"], e["end"], e["type"]) for e in row["entities"])
        for entity, raw in zip(entities, row["entities"], strict=True):
            if row["text"][entity.start : entity.end] != raw["text"]:
                raise SystemExit(f"sentence {row['id']}: span does not match {raw['text']!r}")
        sentences.append(Sentence(row["id"], row["split"], row["text"], entities))
    return sentences


def predicted_type(finding: Finding) -> str | None:
    # Rewrites that are not placeholders (a channel link becoming #name) are not PII.
    kind = finding.replacement.strip("[]")
    return kind if finding.replacement.startswith("[") and kind in TYPES else None


def covered(text: str, entity: Entity, findings: list[Finding], same_type: bool) -> bool:
    spans = [
        f
        for f in findings
        if f.start < entity.end
        and entity.start < f.end
        and (not same_type or predicted_type(f) == entity.type)
    ]
    return bool(spans) and all(
        any(f.start <= i < f.end for f in spans)
        for i in range(entity.start, entity.end)
        if text[i].isalnum()
    )


@dataclass
class Tally:
    gold: Counter[str]
    found: Counter[str]
    safe: Counter[str]
    predicted: Counter[str]
    right: Counter[str]

    @classmethod
    def empty(cls) -> Tally:
        return cls(Counter(), Counter(), Counter(), Counter(), Counter())


def evaluate(
    sentences: list[Sentence], predictions: dict[int, list[Finding]], errors: bool
) -> Tally:
    tally = Tally.empty()
    for s in sentences:
        findings = predictions[s.id]
        for e in s.entities:
            tally.gold[e.type] += 1
            hit = covered(s.text, e, findings, same_type=True)
            tally.found[e.type] += hit
            tally.safe[e.type] += covered(s.text, e, findings, same_type=False)
            if errors and not hit:
                print(f"  MISS {e.type:8} {s.text[e.start : e.end]!r} in #{s.id}: {s.text}")
        for f in findings:
            kind = predicted_type(f)
            if kind is None:
                continue
            tally.predicted[kind] += 1
            ok = any(e.type == kind and f.start < e.end and e.start < f.end for e in s.entities)
            tally.right[kind] += ok
            if errors and not ok:
                print(f"  FALSE {kind:8} {s.text[f.start : f.end]!r} in #{s.id}: {s.text}")
    return tally


def ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "–"


def table(tallies: dict[str, Tally], markdown: bool) -> list[str]:
    names = list(tallies)
    header = ["type"] + [f"{n} {m}" for n in names for m in ("recall", "precision")]
    header += [f"{names[-1]} covered", "gold", "target"]
    rows = []
    for t in (*TYPES, "overall"):
        cells = [t]
        for n in names:
            x = tallies[n]
            if t == "overall":
                cells += [
                    ratio(sum(x.found.values()), sum(x.gold.values())),
                    ratio(sum(x.right.values()), sum(x.predicted.values())),
                ]
            else:
                cells += [ratio(x.found[t], x.gold[t]), ratio(x.right[t], x.predicted[t])]
        last = tallies[names[-1]]
        if t == "overall":
            cells += [
                ratio(sum(last.safe.values()), sum(last.gold.values())),
                str(sum(last.gold.values())),
            ]
            cells.append(f"precision ≥ {PRECISION_TARGET}")
        else:
            cells += [ratio(last.safe[t], last.gold[t]), str(last.gold[t])]
            cells.append(f"recall ≥ {RECALL_TARGETS[t]}" if t in RECALL_TARGETS else "")
        rows.append(cells)
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return out + ["| " + " | ".join(r) + " |" for r in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]


def timings(scrubber: Scrubber, texts: list[str]) -> dict[str, list[float]]:
    costs: dict[str, list[float]] = {"fast": [], "full": []}
    for stage in ("fast", "full"):
        run = getattr(scrubber, stage)
        for text in texts[:20]:
            run(text)
        for _ in range(3):
            for text in texts:
                started = time.perf_counter()
                run(text)
                costs[stage].append((time.perf_counter() - started) * 1000)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=("tune", "held_out", "all"), help="list misses")
    parser.add_argument("--markdown", action="store_true", help="print tables as Markdown")
    args = parser.parse_args()

    sentences = load()
    scrubber = Scrubber(parse_pii_patterns(ID_PATTERNS))
    started = time.perf_counter()
    scrubber.warm_up()
    print(
        f"{len(sentences)} sentences, {sum(len(s.entities) for s in sentences)} entities; "
        f"import and model load {time.perf_counter() - started:.1f} s"
    )

    full = {s.id: scrubber.find_full(s.text) for s in sentences}
    fast = {s.id: scrubber.find_fast(s.text) for s in sentences}
    by_split = {
        "tune": [s for s in sentences if s.split == "tune"],
        "held_out": [s for s in sentences if s.split == "held_out"],
        "all": sentences,
    }
    if args.errors:
        print(f"\nErrors of full() on {args.errors}:")
    tallies = {
        name: evaluate(group, full, errors=args.errors == name) for name, group in by_split.items()
    }
    print("\nfull() — names and addresses included:")
    print("\n".join(table(tallies, args.markdown)))
    print("\nfast() alone, all sentences (names and addresses are left to full()):")
    print("\n".join(table({"all": evaluate(sentences, fast, errors=False)}, args.markdown)))

    texts = [s.text for s in sentences]
    chars = statistics.mean(len(t) for t in texts)
    print(f"\nCost per text (mean {chars:.0f} characters, {len(texts)} texts × 3, one thread):")
    for stage, values in timings(scrubber, texts).items():
        q = statistics.quantiles(values, n=100)
        print(
            f"  {stage}(): mean {statistics.mean(values):.3f} ms, "
            f"p50 {q[49]:.3f} ms, p99 {q[98]:.3f} ms"
        )


if __name__ == "__main__":
    main()
