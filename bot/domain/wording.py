"""The words employees read when they report, configurable per company (PAINPOINT_WORDING).

Discovery must not lead: the defaults speak of work and what slows it down, never of AI or
any other solution, so that people report their problems rather than guess what the company
wants to hear. A company may put its own words in a YAML or JSON file; every text is checked
against the Slack limit of the place it appears in.

`min_reporters` and `retention_days` are not wording but the facts the privacy lines state;
they ride along so that each builder states them from one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import yaml

# Each text and the longest Slack accepts where it is shown (modal titles: 24; headers,
# placeholders: 150; buttons: 75; section text: 3000, kept well below).
LIMITS = {
    "question": 150,
    "placeholder": 150,
    "intro": 1500,
    "receipt": 500,
    "form_title": 24,
    "report_button": 75,
}


@dataclass(frozen=True)
class Wording:
    """Employee-facing capture texts, and the privacy facts they state."""

    # The form's question and the App Home header.
    question: str = "What slows you down?"
    placeholder: str = "e.g. I copy order numbers from the CRM into billing by hand every day"
    # What the bot is for: App Home and help.
    intro: str = (
        "Tell me what costs you time at work — repetitive tasks, waiting on approvals, "
        "hunting for information, clunky tools. Many reports become a few recurring themes, "
        "so the company can fix what slows people down most."
    )
    # After a report is recorded.
    receipt: str = "It joins others' reports to find the problems that slow most people down."
    form_title: str = "Report a pain point"
    report_button: str = "Report a pain point"
    min_reporters: int = 3
    retention_days: int | None = None

    def with_facts(self, *, min_reporters: int, retention_days: int | None) -> Wording:
        """The same texts stating this deployment's rules."""
        return replace(self, min_reporters=min_reporters, retention_days=retention_days)


DEFAULT_WORDING = Wording()


class WordingError(ValueError):
    """A wording file that cannot be used; the message is one line naming the problem."""


def wording_from(values: Mapping[str, object]) -> Wording:
    """A Wording from a mapping of text names to texts; unknown names and bad texts refused."""
    unknown = sorted(set(values) - set(LIMITS))
    if unknown:
        raise WordingError(
            f"unknown text {unknown[0]!r}; the texts are: {', '.join(sorted(LIMITS))}"
        )
    chosen: dict[str, str] = {}
    for name, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise WordingError(f"{name} must be a non-empty text")
        text = " ".join(value.split()) if name != "intro" else value.strip()
        if len(text) > LIMITS[name]:
            raise WordingError(
                f"{name} is {len(text)} characters; Slack shows at most {LIMITS[name]} there"
            )
        chosen[name] = text
    base = DEFAULT_WORDING
    return Wording(
        question=chosen.get("question", base.question),
        placeholder=chosen.get("placeholder", base.placeholder),
        intro=chosen.get("intro", base.intro),
        receipt=chosen.get("receipt", base.receipt),
        form_title=chosen.get("form_title", base.form_title),
        report_button=chosen.get("report_button", base.report_button),
    )


def parse_wording(source: str) -> Wording:
    """Read a wording file's content: a YAML (or JSON) mapping of text names to texts."""
    try:
        loaded = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise WordingError(f"not valid YAML or JSON{where}") from None
    if loaded is None:
        return DEFAULT_WORDING
    if not isinstance(loaded, dict):
        raise WordingError("must be a mapping of text names to texts, e.g. question: …")
    return wording_from({str(key): value for key, value in loaded.items()})
