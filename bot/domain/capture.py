"""Pain points as reporters submit and see them: sources, categories, outcomes, limits."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.lenses import LENSES

SOURCES = ("slash", "modal", "dm", "shortcut", "import")
# What the form offers: the five lenses of the discovery audit. Old stored values
# ("tools_systems", "other") are read through bot.domain.lenses.lens_key.
CATEGORIES = dict(LENSES)
FREQUENCIES = {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly", "rarely": "Rarely"}
MAX_HOURS_PER_WEEK = 80.0
MAX_DETAILS_LENGTH = 20_000


class Outcome(StrEnum):
    """What happened to a submitted pain point."""

    RECORDED = "recorded"
    UPDATED = "updated"
    DUPLICATE = "duplicate"
    RATE_LIMITED = "rate_limited"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    REPLAYED = "replayed"
    NOT_FOUND = "not_found"
    EXPIRED = "expired"  # past the retention period: its text was removed, it takes no new text


@dataclass(frozen=True)
class PainPointView:
    """A pain point as the reporter may see it (already scrubbed)."""

    id: int
    text: str
    details: str | None
    source: str
    category: str | None
    frequency: str | None
    hours_per_week: float | None
    team: str | None
    keep_posted: bool
    created_at: datetime
    status: str = "received"


@dataclass(frozen=True)
class CaptureResult:
    """The outcome of a capture call and the pain point it concerns, when there is one."""

    outcome: Outcome
    painpoint: PainPointView | None = None


@dataclass(frozen=True)
class PainPointInput:
    """What a reporter submitted, before scrubbing."""

    text: str
    source: str
    category: str | None = None
    frequency: str | None = None
    hours_per_week: float | None = None
    team: str | None = None
    keep_posted: bool = False


@dataclass(frozen=True)
class CaptureLimits:
    """Limits that protect the store from floods and mistakes."""

    max_text_length: int = 4000
    per_hour: int = 30
    duplicate_window: timedelta = field(default_factory=lambda: timedelta(hours=24))


def normalise_for_dedupe(text: str) -> str:
    """Case-, space- and trailing-punctuation-insensitive form used to spot repeats."""
    collapsed = re.sub(r"\s+", " ", text).strip().casefold()
    return collapsed.rstrip(" .!?…")


def text_fingerprint(text: str) -> str:
    """SHA-256 of the normalised text."""
    return hashlib.sha256(normalise_for_dedupe(text).encode()).hexdigest()
