"""How far any similarity threshold can go on the small-data one-off targets.

Usage: .venv/bin/python benchmarks/theme_small_bound.py [--sets ...] [--draws 8]

The small-data targets ask for two things at once on every k × m row: ≥ 70 % of the
injected one-offs unassigned while ≤ 10 % of the topic rows are. This script measures
an upper bound for any rule that leaves reports out by a per-report similarity, on the
same draws as ``theme_small_data.py``, with everything in the rule's favour:

- the *true* topics stand in for the clustering (a perfect clustering);
- the threshold is chosen with hindsight, per draw, and the row's 10 % budget of topic
  rows left out is spread over the draws where it catches the most one-offs.

Scores (higher = more like a member): a topic row's cosine to the centre of the rest of
its topic (leave-one-out, what the engine uses) or to its nearest fellow member; a
one-off's best cosine to any topic's centre or member; the mean of the two; and a
relative rank, which is measured against each topic's own members and so adapts to how
tight that topic is (how far up the other members rank the report among their fellow
members; a one-off is judged against the topic with the nearest centre). If the bound
is below 70 % on a row, no threshold on that score meets both targets there with this
embedding model, whatever the clustering does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from theme_quality import cached_embeddings, load_set  # noqa: E402
from theme_small_data import DEFAULT_SETS, ROWS, max_k, row_draws  # noqa: E402

from clustering.cluster import label_sums  # noqa: E402
from clustering.embedding import l2_normalise  # noqa: E402
from clustering.membership import leave_one_out_similarity  # noqa: E402

TOPIC_BUDGET = 0.10  # share of topic rows that may be left out
ONE_OFF_TARGET = 0.70

# score name -> (scores of the topic rows, scores of the one-offs)
Scores = dict[str, tuple[np.ndarray, np.ndarray]]
# topic rows left out -> most one-offs left out with them, for one draw
Curve = dict[int, int]


def member_scores(topic_x: np.ndarray, labels: np.ndarray, one_off_x: np.ndarray) -> Scores:
    """Each score for the topic rows (against their own topic) and the one-offs (best topic)."""
    k = int(labels.max()) + 1
    centre_t = leave_one_out_similarity(topic_x, labels, k)
    centre_o = (one_off_x @ l2_normalise(label_sums(topic_x, labels, k)).T).max(axis=1)
    pairs = topic_x @ topic_x.T
    np.fill_diagonal(pairs, -1.0)
    nearest_t = np.where(labels[:, None] == labels[None, :], pairs, -1.0).max(axis=1)
    nearest_o = (one_off_x @ topic_x.T).max(axis=1)
    one_off_topic = (one_off_x @ l2_normalise(label_sums(topic_x, labels, k)).T).argmax(axis=1)
    rows = np.vstack([topic_x, one_off_x])
    topics = np.concatenate([labels, one_off_topic])
    ranks = relative_ranks(rows @ rows.T, topics, len(labels))
    return {
        "centre": (centre_t, centre_o),
        "nearest member": (nearest_t, nearest_o),
        "mean of both": ((centre_t + nearest_t) / 2, (centre_o + nearest_o) / 2),
        "relative rank": (ranks[: len(labels)], ranks[len(labels) :]),
    }


def relative_ranks(sims: np.ndarray, topics: np.ndarray, n_members: int) -> np.ndarray:
    """Per row: the mean share of its topic's other members that each member ranks below it.

    Only the first ``n_members`` rows are members; later rows (one-offs) are judged
    against the members of their topic without being one. 0 = every member finds the
    row farther than all its fellow members, 0.5 = a typical member.
    """
    out = np.zeros(len(topics))
    for row, topic in enumerate(topics):
        members = np.flatnonzero(topics[:n_members] == topic)
        members = members[members != row]
        shares = [
            float((sims[judge, others] < sims[judge, row]).mean())
            for judge in members
            if (others := members[members != judge]).size
        ]
        out[row] = np.mean(shares) if shares else 0.0
    return out


def threshold_curve(topic_scores: np.ndarray, one_off_scores: np.ndarray) -> Curve:
    """For every threshold: how many topic rows and one-offs fall below it."""
    curve: Curve = {}
    for tau in np.concatenate([topic_scores, one_off_scores, [-np.inf, np.inf]]):
        left_out = int((topic_scores < tau).sum())
        caught = int((one_off_scores < tau).sum())
        curve[left_out] = max(curve.get(left_out, 0), caught)
    return curve


def most_caught(curves: list[Curve], budget: int) -> int:
    """Most one-offs caught over all draws with at most ``budget`` topic rows left out.

    One threshold per draw; a knapsack over the draws spends the budget where it pays.
    """
    best = {0: 0}  # topic rows spent -> one-offs caught
    for curve in curves:
        step: dict[int, int] = {}
        for spent, caught in best.items():
            for left_out, more in curve.items():
                total = spent + left_out
                if total <= budget and step.get(total, -1) < caught + more:
                    step[total] = caught + more
        best = step
    return max(best.values())


def bound_row(x: np.ndarray, truth: np.ndarray, k: int, m: int, draws: int) -> dict[str, float]:
    """Upper bound of the one-offs left out, per score, on one k × m row."""
    k = min(k, max_k(truth, m))
    curves: dict[str, list[Curve]] = {}
    one_offs = 0
    for topic, others in row_draws(truth, k, m, draws):
        _, labels = np.unique(truth[topic], return_inverse=True)
        for name, (t, o) in member_scores(x[topic], labels, x[others]).items():
            curves.setdefault(name, []).append(threshold_curve(t, o))
        one_offs += len(others)
    budget = int(TOPIC_BUDGET * draws * k * m)
    return {name: most_caught(c, budget) / one_offs for name, c in curves.items()}


def main(argv: list[str] | None = None) -> int:
    """Print the bound for every set and row; * marks rows below the 70 % target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS))
    parser.add_argument("--draws", type=int, default=8)
    args = parser.parse_args(argv)
    print("| set | k × m | centre | nearest member | mean of both | relative rank |")
    print("|---|---|---|---|---|---|")
    for name in args.sets:
        texts, truth = load_set(name)
        x = l2_normalise(cached_embeddings(name, texts))
        for k, m in ROWS:
            bound = bound_row(x, truth, k, m, args.draws)
            cells = [
                f"{value:.0%}{' *' if value < ONE_OFF_TARGET else ''}" for value in bound.values()
            ]
            print(f"| {name} | {min(k, max_k(truth, m))} × {m} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
