"""Plain results of the privacy rights: what an erasure removed, what retention cleared, and
who read what (the read audit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Surfaces recorded in the read audit: one name per way a manager, trainer or operator sees
# employees' data. Listed so that `painpoint audit-log` and the tests agree on the names.
READ_SURFACES = {
    "digest": "digest (Slack)",
    "theme_details": "theme details (Slack)",
    "report": "audit report (Slack)",
    "concerns": "concerns (Slack)",
    "nudge_stats": "nudge statistics (Slack)",
    "pilots": "pilot list (Slack)",
    "pilot": "pilot view (Slack)",
    "cli_export": "export (command line)",
    "cli_report": "audit report (command line)",
    "cli_themes": "themes (command line)",
    "cli_pilots": "pilot list (command line)",
    "cli_pilot": "pilot view (command line)",
    "cli_nudge_stats": "nudge statistics (command line)",
}


@dataclass(frozen=True)
class ReadEntry:
    """One read: who (a Slack user id, or `cli:<login>`), which surface, what, when."""

    id: int
    actor: str
    surface: str
    detail: dict[str, Any]
    at: datetime


@dataclass
class ErasureReport:
    """How many rows an erasure removed or emptied, per kind (a dry run counts the same)."""

    painpoints: int = 0
    concerns: int = 0
    feedback: int = 0
    deliveries: int = 0
    nudge_settings: int = 0
    campaign_audiences: int = 0
    themes_recounted: int = 0
    # Counts from erasure hooks of other parts (pilots: answers, participations).
    extra: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def total(self) -> int:
        """Rows that named or pseudonymised the person (recounted themes are not theirs)."""
        return (
            self.painpoints
            + self.concerns
            + self.feedback
            + self.deliveries
            + self.nudge_settings
            + self.campaign_audiences
            + sum(self.extra.values())
        )

    def lines(self) -> list[tuple[str, int]]:
        """(what, how many) for every kind with something in it, in a fixed order."""
        named = [
            ("reports (with their details)", self.painpoints),
            ("concerns", self.concerns),
            ("nudge ratings and quiz answers", self.feedback),
            ("nudges sent to you (kept as counts, without you)", self.deliveries),
            ("nudge settings", self.nudge_settings),
            ("nudge audiences that named you", self.campaign_audiences),
            *sorted(self.extra.items()),
        ]
        return [(what, number) for what, number in named if number]


@dataclass(frozen=True)
class RetentionReport:
    """What one retention pass did: rows whose text it removed, and the cut-off."""

    cutoff: datetime
    painpoints: int
    concerns: int
