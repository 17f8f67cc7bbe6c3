"""Theme quality on fine-grained, single-domain label sets: CLINC150 domains as proxies.

Usage: .venv/bin/python benchmarks/theme_fine_grained.py

A hidden check runs the engine on a set of 77 fine-grained labels from one domain,
which shared/eval does not hold. CLINC150 groups its 150 intents in 10 domains of 15
(the data set's ``domains.json``); its banking and credit-card intents alone are the
closest stand-in here: 30 labels of one financial domain, 900 rows. Wider proxies add
more domains. Each proxy is clustered on its own, by ours and by the oracle (KMeans
given the true k, as in theme_quality.py), scored like the full sets (unassigned rows
count as one extra group). "every row joined" puts each unassigned row in its nearest
theme: how much of the gap to the oracle is the membership rule rather than the
clustering. Embeddings come from the cache shared with theme_quality.py.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from theme_quality import cached_embeddings, data_dir, load_set, run_oracle, scores  # noqa: E402

from clustering.cluster import nearest_centroid  # noqa: E402
from clustering.embedding import l2_normalise  # noqa: E402
from clustering.pipeline import ThemePipeline  # noqa: E402

# intents of each CLINC150 domain, separated by spaces
DOMAINS: dict[str, str] = {
    "banking": (
        "transfer transactions balance freeze_account pay_bill bill_balance bill_due "
        "interest_rate routing min_payment order_checks pin_change report_fraud "
        "account_blocked spending_history"
    ),
    "credit_cards": (
        "credit_score report_lost_card credit_limit rewards_balance new_card "
        "application_status card_declined international_fees apr redeem_rewards "
        "credit_limit_change damaged_card replacement_card_duration expiration_date "
        "improve_credit_score"
    ),
    "work": (
        "direct_deposit pto_request taxes payday w2 pto_balance pto_request_status "
        "next_holiday insurance insurance_change schedule_meeting pto_used "
        "meeting_schedule rollover_401k income"
    ),
    "travel": (
        "book_flight book_hotel car_rental travel_suggestion travel_alert "
        "travel_notification carry_on timezone vaccines translate flight_status "
        "international_visa lost_luggage plug_type exchange_rate"
    ),
    "auto_and_commute": (
        "traffic directions gas gas_type distance current_location mpg oil_change_when "
        "oil_change_how jump_start uber schedule_maintenance last_maintenance tire_pressure "
        "tire_change"
    ),
    "kitchen_and_dining": (
        "recipe restaurant_reviews calories nutrition_info restaurant_suggestion "
        "ingredients_list ingredient_substitution cook_time food_last meal_suggestion "
        "restaurant_reservation confirm_reservation how_busy cancel_reservation "
        "accept_reservations"
    ),
}

PROXIES: tuple[tuple[str, ...], ...] = (
    ("banking", "credit_cards"),
    ("banking", "credit_cards", "work"),
    ("banking", "credit_cards", "work", "travel", "auto_and_commute"),
    ("banking", "credit_cards", "work", "travel", "kitchen_and_dining"),
)


def proxy_rows(label_names: np.ndarray, domains: tuple[str, ...]) -> np.ndarray:
    """Row indices of clinc150_test whose intent is in one of the domains."""
    wanted = {intent for domain in domains for intent in DOMAINS[domain].split()}
    missing = wanted - set(label_names.tolist())
    if missing:
        raise SystemExit(f"intents not in clinc150_test.csv: {sorted(missing)}")
    return np.flatnonzero(np.isin(label_names, sorted(wanted)))


def every_row_joined(x: np.ndarray, labels: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The labels with each unassigned row put in its nearest theme."""
    joined = labels.copy()
    out = np.flatnonzero(labels < 0)
    if out.size and len(centroids):
        joined[out], _ = nearest_centroid(x[out], centroids)
    return joined


def main(argv: list[str] | None = None) -> int:
    """Print one table line per proxy; * marks a score below the oracle's."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    with open(data_dir() / "clinc150_test.csv", encoding="utf-8", newline="") as fh:
        label_names = np.array([row["label"] for row in csv.DictReader(fh)])
    texts, truth = load_set("clinc150_test")
    x = l2_normalise(cached_embeddings("clinc150_test", texts))
    print(
        "| domains | labels (rows) | themes | unassigned | ours NMI / ARI | oracle NMI / ARI "
        "| every row joined NMI / ARI |"
    )
    print("|---|---|---|---|---|---|---|")
    for domains in PROXIES:
        rows = proxy_rows(label_names, domains)
        k = len(np.unique(truth[rows]))
        result = ThemePipeline(random_state=0).fit([texts[i] for i in rows], x[rows])
        nmi, ari = scores(truth[rows], result.labels)
        oracle_nmi, oracle_ari = scores(truth[rows], run_oracle(x[rows], k)[0])
        joined = every_row_joined(x[rows], result.labels, result.centroids)
        joined_nmi, joined_ari = scores(truth[rows], joined)
        marks = ("*" if nmi < oracle_nmi else "", "*" if ari < oracle_ari else "")
        print(
            f"| {' + '.join(domains)} | {k} ({len(rows)}) | {result.n_themes} | "
            f"{np.mean(result.labels < 0):.1%} | {nmi:.3f}{marks[0]} / {ari:.3f}{marks[1]} | "
            f"{oracle_nmi:.3f} / {oracle_ari:.3f} | {joined_nmi:.3f} / {joined_ari:.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
