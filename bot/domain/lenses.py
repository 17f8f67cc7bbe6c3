"""The five lenses of the discovery audit: keys, labels, descriptions, and the effective lens."""

from __future__ import annotations

from collections.abc import Sequence

# Keys kept from the old categories where the meaning is the same; "tools_systems" and
# "other" were catch-alls and now fold into employee challenges (see migration 0005).
LENSES: dict[str, str] = {
    "workflow_bottleneck": "Workflow bottlenecks",
    "repetitive_task": "Repetitive tasks",
    "data_gap": "Data gaps",
    "customer_facing": "Customer pain points",
    "employee_challenge": "Employee challenges",
}
LEGACY_CATEGORIES: dict[str, str] = {
    "tools_systems": "employee_challenge",
    "other": "employee_challenge",
}
UNCLASSIFIED = "Not yet classified"
# Who decided a report's lens: the reporter (the form), the model, or a manager.
LENS_SOURCES = ("reporter", "suggested", "manager")

# Zero-shot prototypes: a report takes the lens whose sentences it is closest to. Written in
# the voice of a report, which embeds closer to real reports than a dictionary definition.
LENS_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "workflow_bottleneck": (
        "Work is stuck waiting for an approval or a sign-off before it can move on.",
        "A hand-off between teams is slow, so the next step waits for days.",
        "The process has too many steps and people in the chain, and everything queues.",
        "We are blocked until someone else responds, reviews or signs.",
    ),
    "repetitive_task": (
        "I do the same manual task over and over every day or every week.",
        "I copy and paste data by hand from one system into another.",
        "Retyping, reformatting and re-entering the same information again and again.",
        "Routine admin that could be automated: the same report, the same emails each time.",
    ),
    "data_gap": (
        "I cannot find the information I need, or nobody knows where it is.",
        "The numbers in two systems disagree and the data is out of date or wrong.",
        "There is no single source of truth, no dashboard, and reports are missing.",
        "Documentation is missing or outdated, so I search and ask around for answers.",
    ),
    "customer_facing": (
        "Customers complain, wait too long for an answer, or get a wrong answer from us.",
        "Clients have to chase us and their requests get lost between teams.",
        "Customer tickets, orders and refunds are slow and the customer notices.",
        "We lose deals or upset customers because we cannot respond in time.",
    ),
    "employee_challenge": (
        "The tools are clunky, crash or are slow, and my laptop or VPN keeps failing.",
        "I never got training on the software and feel overwhelmed by the workload.",
        "Too many meetings and interruptions leave no time to focus.",
        "Onboarding, unclear responsibilities and missing skills make the job harder.",
    ),
}


def lens_key(value: str | None) -> str | None:
    """A lens key from a stored category, a legacy category, a key or a label; else None."""
    if value is None:
        return None
    cleaned = value.strip()
    if cleaned in LENSES:
        return cleaned
    if cleaned in LEGACY_CATEGORIES:
        return LEGACY_CATEGORIES[cleaned]
    folded = cleaned.casefold()
    for key, label in LENSES.items():
        if folded in (label.casefold(), key.replace("_", " "), label.casefold().rstrip("s")):
            return key
    return None


def lens_label(key: str | None) -> str:
    """The label of a lens (legacy categories included); "Not yet classified" otherwise."""
    found = lens_key(key)
    return LENSES[found] if found else UNCLASSIFIED


def effective_lens(
    category: str | None, lens: str | None, lens_source: str | None
) -> tuple[str | None, str | None]:
    """The lens a report counts under, and who chose it.

    A manager's choice wins; then what the reporter picked in the form (stored as the
    category, so a report amended in the form follows at once); then the suggestion.
    """
    if lens_source == "manager" and lens_key(lens):
        return lens_key(lens), "manager"
    chosen = lens_key(category)
    if chosen:
        return chosen, "reporter"
    suggested = lens_key(lens)
    if suggested:
        return suggested, lens_source or "suggested"
    return None, None


def best_lens(scores: Sequence[Sequence[float]], bias: Sequence[float] | None = None) -> str:
    """The lens with the highest mean similarity over its descriptions, less its bias.

    `scores` holds one row of description scores per lens, in the order of LENSES; `bias`
    is each lens's mean score over all the descriptions, so a lens whose words sit close to
    everything (customers come up in many reports) does not win by default. Both choices
    were made on the demo data, not on the test sample (docs/pilots_results.md).
    """
    bias = bias or [0.0] * len(scores)
    means = [sum(row) / len(row) - b for row, b in zip(scores, bias, strict=True)]
    return list(LENSES)[means.index(max(means))]
