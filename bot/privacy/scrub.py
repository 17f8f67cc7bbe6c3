"""Replace personal data and secrets in free text with typed placeholders.

Two stages share one `Scrubber`. `fast()` finds what patterns and checksums can (Slack
mentions, links carrying tokens, secrets, e-mail addresses, phone numbers, cards, IBANs,
SSNs and configured company ids) in well under a millisecond, so it fits Slack's
acknowledgement path. `full()` adds person names and street addresses found with spaCy
through Presidio, a few milliseconds more, so it runs after the acknowledgement. Raw text
must never be stored or logged before `full()` has run on it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.domain.pii_patterns import IdPattern, parse_pii_patterns
from bot.privacy.findings import (
    ADDRESS,
    CARD,
    EMAIL,
    IBAN,
    ID,
    LINK,
    MENTION,
    NAME,
    PHONE,
    SECRET,
    Finding,
    render,
    resolve,
)
from bot.privacy.ner import NerDetector, shared_detector

if TYPE_CHECKING:
    from bot.privacy.detectors import PatternDetector

__all__ = [
    "ADDRESS",
    "CARD",
    "EMAIL",
    "IBAN",
    "ID",
    "LINK",
    "MENTION",
    "NAME",
    "PHONE",
    "SECRET",
    "Finding",
    "IdPattern",
    "Scrubber",
    "default_scrubber",
    "parse_pii_patterns",
    "scrub",
    "scrub_fast",
]


class Scrubber:
    """Scrubs text in two stages; one instance may be shared by every thread of a process."""

    def __init__(
        self, id_patterns: Sequence[IdPattern] = (), *, ner: NerDetector | None = None
    ) -> None:
        self._id_patterns = tuple(id_patterns)
        self._ner = ner
        self._patterns: PatternDetector | None = None
        self._lock = threading.Lock()

    def fast(self, text: str) -> str:
        """Everything but names and addresses: cheap enough for the acknowledgement path."""
        return render(text, self.find_fast(text))

    def full(self, text: str) -> str:
        """`fast()` plus person names and street addresses: for a background step."""
        return render(text, self.find_full(text))

    def find_fast(self, text: str) -> list[Finding]:
        """What `fast()` replaces, in text order."""
        return resolve(self._pattern_detector().find(text))

    def find_full(self, text: str) -> list[Finding]:
        """What `full()` replaces, in text order."""
        return resolve(self._pattern_detector().find(text) + self._ner_detector().find(text))

    def warm_up(self, *, ner: bool = True) -> None:
        """Import, load and compile now (seconds), so that the first report does not wait."""
        self._pattern_detector().warm_up()
        # One text that reaches every detector: Presidio compiles its patterns and tldextract
        # reads its suffix snapshot on first use, not on construction.
        self.fast(_WARM_UP_TEXT)
        if ner:
            self.full(_WARM_UP_TEXT)

    def _pattern_detector(self) -> PatternDetector:
        if self._patterns is None:
            with self._lock:
                if self._patterns is None:
                    # Imported here: Presidio pulls in spaCy and transformers, seconds of
                    # start-up that a CLI command which never scrubs should not pay.
                    from bot.privacy.detectors import PatternDetector

                    self._patterns = PatternDetector(self._id_patterns)
        return self._patterns

    def _ner_detector(self) -> NerDetector:
        return self._ner if self._ner is not None else shared_detector()


_WARM_UP_TEXT = (
    "Ask Jane Doe at 1 Main Street, jane@example.com, +44 20 7946 0958, 4111 1111 1111 1111, "
    "DE89 3704 0044 0532 0130 00, 512-38-4471, <@U0123|jane> https://example.com/?token=x"
)

_default: Scrubber | None = None
_default_lock = threading.Lock()


def default_scrubber() -> Scrubber:
    """The process-wide scrubber with default settings (no company-specific ids)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Scrubber()
        return _default


def scrub(text: str) -> str:
    """Full scrub (names and addresses included) with default settings."""
    return default_scrubber().full(text)


def scrub_fast(text: str) -> str:
    """Fast scrub (no names or addresses) with default settings."""
    return default_scrubber().fast(text)
