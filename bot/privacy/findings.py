"""What a detector found in a text, and how overlapping findings become the scrubbed text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Typed placeholders: what a reader of a quote may learn is the kind of thing removed.
NAME = "[name]"
EMAIL = "[email]"
PHONE = "[phone]"
CARD = "[card]"
IBAN = "[iban]"
ID = "[id]"
ADDRESS = "[address]"
MENTION = "[mention]"
LINK = "[link]"
SECRET = "[secret]"

# When two findings overlap, the one with the lower rank wins. Slack markup is parsed
# before anything inside it can be mistaken for something else; a link that carries a
# token is dropped whole; checksummed numbers beat the looser phone rule (an SSN or an
# IBAN is never a phone number); NER comes last because it is the least certain.
RANK = {
    "markup": 0,
    "mention": 0,
    "link": 1,
    "secret": 2,
    "email": 3,
    "iban": 4,
    "card": 4,
    "id": 4,
    "phone": 5,
    "address": 6,
    "name": 7,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """A span of the text to replace: `kind` is a key of RANK, `replacement` what replaces it."""

    start: int
    end: int
    kind: str
    replacement: str

    def overlaps(self, other: Finding) -> bool:
        return self.start < other.end and other.start < self.end


def resolve(findings: Iterable[Finding]) -> list[Finding]:
    """Keep the findings that win their overlaps, in text order."""
    ordered = sorted(findings, key=lambda f: (RANK[f.kind], f.start, f.start - f.end))
    kept: list[Finding] = []
    for finding in ordered:
        if finding.end > finding.start and not any(finding.overlaps(k) for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def render(text: str, findings: Iterable[Finding]) -> str:
    """Replace each winning finding; text between findings is kept as it was."""
    parts: list[str] = []
    position = 0
    for finding in resolve(findings):
        parts.append(text[position : finding.start])
        parts.append(finding.replacement)
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)
