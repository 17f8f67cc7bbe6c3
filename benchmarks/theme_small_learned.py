"""Can a combination of label-free scores tell one-offs from topic rows? A learned bound.

Usage: .venv/bin/python benchmarks/theme_small_learned.py

``theme_small_bound.py`` showed that no *single* score meets the small-data one-off
targets on every row (≥ 70 % of the injected one-offs left out with ≤ 10 % of the topic
rows), even on the true topics. This script asks whether a *combination* does. Twelve
scores that need no labels (listed in ``FEATURES``) are computed for every topic row
(against its true topic) and every one-off (against the topic with the nearest
centre); a gradient-boosted classifier learns from the labels which rows are one-offs.
Everything is in the rule's favour: true topics stand in for the clustering, and the
classifier is trained with labels. Columns:

- **engine's rule**: the engine's own thresholds (``theme_thresholds``) on the true
  topics, one-offs left out / topic rows left out;
- **learned, hindsight per draw**: trained on other draws of the *same* set (draw seed
  1), one threshold per draw chosen with hindsight as in ``theme_small_bound.py``;
- **learned, one threshold per row**: the same model, one threshold for the row's 8
  draws, chosen with hindsight;
- **learned on the other sets**: trained on the other two sets only, its threshold
  the one that leaves out 5 % of their topic rows; one-offs / topic rows left out.
  This is what a rule shipped in the engine would do on a set it has not seen.

A row meets the targets when one-offs ≥ 70 % and topic rows ≤ 10 %; ``*`` marks a miss.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from theme_quality import cached_embeddings, load_set  # noqa: E402
from theme_small_bound import (  # noqa: E402
    ONE_OFF_TARGET,
    TOPIC_BUDGET,
    most_caught,
    relative_ranks,
    threshold_curve,
)
from theme_small_data import DEFAULT_SETS, ROWS, max_k, row_draws  # noqa: E402

from clustering.cluster import label_sums  # noqa: E402
from clustering.embedding import l2_normalise  # noqa: E402
from clustering.membership import leave_one_out_similarity, theme_thresholds  # noqa: E402

FEATURES = (
    "cosine to the topic centre (leave-one-out for members)",
    "the same in robust spreads from the topic's median member",
    "cosine to the nearest member",
    "cosine to the second-nearest member",
    "mean cosine to the three nearest members",
    "relative rank (theme_small_bound.relative_ranks)",
    "margin between the topic centre and the next-nearest one (absolute value)",
    "topic size",
    "topic's median member cosine",
    "centre cosine minus mean cosine to rows of other topics",
    "largest word overlap (Jaccard) with a member",
    "nearest-member cosine minus the topic's median",
)
TRAIN_SEED = 1
TRANSFER_TOPIC_RATE = 0.05
_WORD = re.compile(r"[a-z0-9']+")

# one draw: (features of its rows, 1 for a one-off and 0 for a topic row)
Draw = tuple[np.ndarray, np.ndarray]


def _spread(values: np.ndarray, median: float) -> float:
    return float(1.4826 * np.median(np.abs(values - median)))


def draw_features(texts: list[str], x: np.ndarray, labels: np.ndarray, n_topic: int) -> Draw:
    """FEATURES for the first n_topic rows (members of labels) and the one-offs after them."""
    k = int(labels.max()) + 1
    centres = l2_normalise(label_sums(x[:n_topic], labels, k))
    loo = leave_one_out_similarity(x[:n_topic], labels, k)
    sizes = np.bincount(labels, minlength=k)
    medians = np.array([np.median(loo[labels == t]) for t in range(k)])
    spreads = np.array([_spread(loo[labels == t], medians[t]) for t in range(k)])
    pooled = np.sqrt(np.mean(spreads**2))
    shrunk = np.sqrt((sizes * spreads**2 + 10 * pooled**2) / (sizes + 10))
    to_centres = x @ centres.T
    one_off_topic = to_centres[n_topic:].argmax(axis=1)
    topics = np.concatenate([labels, one_off_topic])
    centre = np.concatenate([loo, to_centres[n_topic:].max(axis=1)])
    other = np.where(np.arange(k)[None, :] == topics[:, None], -1.0, to_centres).max(axis=1)
    pairs = x @ x.T
    np.fill_diagonal(pairs, -1.0)
    ranks = relative_ranks(pairs, topics, n_topic)
    words = [set(_WORD.findall(text.lower())) for text in texts]
    rows = []
    for i, topic in enumerate(topics):
        members = np.flatnonzero(labels == topic)
        members = members[members != i]
        near = np.sort(pairs[i, members])[::-1]
        outside = np.flatnonzero(labels != topic)
        outside = outside[outside != i]
        overlap = max(
            (len(words[i] & words[j]) / max(1, len(words[i] | words[j])) for j in members),
            default=0.0,
        )
        rows.append(
            [
                centre[i],
                (centre[i] - medians[topic]) / max(shrunk[topic], 1e-3),
                near[0],
                near[min(1, len(near) - 1)],
                near[:3].mean(),
                ranks[i],
                # A topic row nearer another topic's centre would sit in that theme
                # with this margin reversed; a one-off's margin is never negative, so
                # the sign alone would tell them apart on true topics only.
                abs(centre[i] - other[i]),
                sizes[topic],
                medians[topic],
                centre[i] - (pairs[i, outside].mean() if outside.size else 0.0),
                overlap,
                near[0] - medians[topic],
            ]
        )
    is_one_off = (np.arange(len(topics)) >= n_topic).astype(np.int64)
    return np.array(rows), is_one_off


def engine_rule(x: np.ndarray, labels: np.ndarray, n_topic: int) -> Draw:
    """The engine's thresholds on the true topics: (left out?, is one-off) per row."""
    k = int(labels.max()) + 1
    with_one_offs = np.concatenate([labels, np.full(len(x) - n_topic, -1)])
    thresholds = theme_thresholds(x.astype(np.float32), with_one_offs, k)
    loo = leave_one_out_similarity(x[:n_topic], labels, k)
    to_centres = x[n_topic:] @ l2_normalise(label_sums(x[:n_topic], labels, k)).T
    best = to_centres.argmax(axis=1)
    left_out = np.concatenate([loo < thresholds[labels], to_centres.max(axis=1) < thresholds[best]])
    return left_out, (np.arange(len(x)) >= n_topic).astype(np.int64)


def set_draws(name: str, seed: int, draws: int) -> dict[tuple[int, int], list[tuple[Draw, Draw]]]:
    """Per k × m row: (features, engine rule) of each draw."""
    texts, truth = load_set(name)
    x = l2_normalise(cached_embeddings(name, texts))
    out: dict[tuple[int, int], list[tuple[Draw, Draw]]] = {}
    for k, m in ROWS:
        k = min(k, max_k(truth, m))
        for topic, others in row_draws(truth, k, m, draws, seed=seed):
            _, labels = np.unique(truth[topic], return_inverse=True)
            rows = np.concatenate([topic, others])
            draw_texts = [texts[i] for i in rows]
            out.setdefault((k, m), []).append(
                (
                    draw_features(draw_texts, x[rows], labels, len(topic)),
                    engine_rule(x[rows], labels, len(topic)),
                )
            )
    return out


def _fit(draws: list[Draw]) -> HistGradientBoostingClassifier:
    features = np.vstack([f for f, _ in draws])
    targets = np.concatenate([y for _, y in draws])
    model = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, class_weight="balanced", random_state=0
    )
    return model.fit(features, targets)


def _cell(one_offs: float, topic_rows: float) -> str:
    miss = one_offs < ONE_OFF_TARGET or topic_rows > TOPIC_BUDGET
    return f"{one_offs:.0%} / {topic_rows:.1%}{' *' if miss else ''}"


def _hindsight(
    model: HistGradientBoostingClassifier, draws: list[Draw], budget: int
) -> tuple[float, float]:
    """Share of one-offs caught: one threshold per draw, and one per row."""
    member_like = [(-model.predict_proba(f)[:, 1], y) for f, y in draws]
    one_offs = sum(int(y.sum()) for _, y in draws)
    per_draw = most_caught([threshold_curve(s[y == 0], s[y == 1]) for s, y in member_like], budget)
    scores = np.concatenate([s for s, _ in member_like])
    targets = np.concatenate([y for _, y in member_like])
    row_curve = threshold_curve(scores[targets == 0], scores[targets == 1])
    per_row = max(caught for left, caught in row_curve.items() if left <= budget)
    return per_draw / one_offs, per_row / one_offs


def main(argv: list[str] | None = None) -> int:
    """Print one line per set and row."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=8)
    parser.add_argument("--train-draws", type=int, default=16)
    args = parser.parse_args(argv)
    test = {name: set_draws(name, 0, args.draws) for name in DEFAULT_SETS}
    train = {name: set_draws(name, TRAIN_SEED, args.train_draws) for name in DEFAULT_SETS}
    print(
        "| set | k × m | engine's rule | learned, hindsight per draw | learned, one threshold "
        "per row | learned on the other sets |"
    )
    print("|---|---|---|---|---|---|")
    for name in DEFAULT_SETS:
        same = _fit([f for draws in train[name].values() for f, _ in draws])
        others = [f for o in DEFAULT_SETS if o != name for d in train[o].values() for f, _ in d]
        transfer = _fit(others)
        train_scores = np.concatenate([transfer.predict_proba(f)[:, 1] for f, _ in others])
        train_targets = np.concatenate([y for _, y in others])
        tau = np.quantile(train_scores[train_targets == 0], 1 - TRANSFER_TOPIC_RATE)
        for (k, m), draws in test[name].items():
            features = [f for f, _ in draws]
            left_out = np.concatenate([r[0] for _, r in draws])
            truth = np.concatenate([r[1] for _, r in draws]).astype(bool)
            per_draw, per_row = _hindsight(same, features, int(TOPIC_BUDGET * len(draws) * k * m))
            flagged = np.concatenate([transfer.predict_proba(f)[:, 1] > tau for f, _ in features])
            print(
                f"| {name} | {k} × {m} | {_cell(left_out[truth].mean(), left_out[~truth].mean())} "
                f"| {per_draw:.0%} | {per_row:.0%} "
                f"| {_cell(flagged[truth].mean(), flagged[~truth].mean())} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
