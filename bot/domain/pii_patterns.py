"""Company-specific identifiers (employee numbers, badge ids…) configured as named patterns.

`PAINPOINT_PII_PATTERNS` holds `name=regex` pairs separated by `;`, for example
`employee_id=\\bE\\d{6}\\b;badge=\\bB-\\d{5}\\b`. A regex that needs a `;` can be given in
the JSON form instead: `{"employee_id": "\\\\bE\\\\d{6}\\\\b"}`. Patterns are case-sensitive
unless they start with `(?i)`; whatever they match becomes `[id]`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import regex

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


@dataclass(frozen=True, slots=True)
class IdPattern:
    """One configured identifier format."""

    name: str
    regex: str


def parse_pii_patterns(spec: str | None) -> tuple[IdPattern, ...]:
    """Parse `PAINPOINT_PII_PATTERNS`; raise ValueError with one clear line if it is unusable."""
    if spec is None or not spec.strip():
        return ()
    spec = spec.strip()
    pairs = _json_pairs(spec) if spec.startswith("{") else _semicolon_pairs(spec)
    patterns: list[IdPattern] = []
    seen: set[str] = set()
    for name, pattern in pairs:
        if not _NAME.fullmatch(name):
            raise ValueError(
                f"PAINPOINT_PII_PATTERNS: {name!r} is not a valid pattern name "
                "(letters, digits, _ or -, starting with a letter)"
            )
        if name in seen:
            raise ValueError(f"PAINPOINT_PII_PATTERNS: pattern {name!r} is defined twice")
        seen.add(name)
        patterns.append(IdPattern(name=name, regex=_checked(name, pattern)))
    return tuple(patterns)


def _semicolon_pairs(spec: str) -> list[tuple[str, str]]:
    pairs = []
    for item in spec.split(";"):
        if not item.strip():
            continue
        name, sep, pattern = item.partition("=")
        if not sep:
            raise ValueError(
                f"PAINPOINT_PII_PATTERNS: {item.strip()!r} is not of the form name=regex"
            )
        pairs.append((name.strip(), pattern.strip()))
    return pairs


def _json_pairs(spec: str) -> list[tuple[str, str]]:
    try:
        loaded = json.loads(spec)
    except json.JSONDecodeError as exc:
        raise ValueError(f"PAINPOINT_PII_PATTERNS: invalid JSON ({exc.msg})") from None
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        raise ValueError('PAINPOINT_PII_PATTERNS: JSON must map names to regexes: {"name": "…"}')
    return [(str(k).strip(), v.strip()) for k, v in loaded.items()]


def _checked(name: str, pattern: str) -> str:
    if not pattern:
        raise ValueError(f"PAINPOINT_PII_PATTERNS: pattern {name!r} is empty")
    try:
        # Presidio matches with the `regex` module, so the pattern must compile there.
        compiled = regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(
            f"PAINPOINT_PII_PATTERNS: pattern {name!r} is not a valid regular expression ({exc})"
        ) from None
    # A pattern that matches nothing at all would scrub every position of every text.
    if compiled.fullmatch(""):
        raise ValueError(f"PAINPOINT_PII_PATTERNS: pattern {name!r} matches the empty string")
    return pattern
