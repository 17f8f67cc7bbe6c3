"""Turning `/painpoint` text into a sub-command and its arguments."""

from __future__ import annotations

import re
from dataclasses import dataclass

SIMPLE = {"help", "mine", "settings"}
WITH_ARGUMENTS = {"delete", "digest", "report"}


@dataclass(frozen=True)
class Parsed:
    """A sub-command name ("" for a new pain point) and the rest of the text."""

    name: str
    argument: str


def parse_command_text(text: str) -> Parsed:
    """Sub-commands are recognised only in their exact forms, so "help desk is slow" is a report."""
    stripped = text.strip()
    lowered = stripped.casefold()
    if lowered in SIMPLE or lowered in WITH_ARGUMENTS:
        return Parsed(lowered, "")
    match = re.fullmatch(r"(delete|digest|report)\s+(.+)", stripped, flags=re.IGNORECASE | re.S)
    if match and _looks_like_arguments(match.group(1).casefold(), match.group(2)):
        return Parsed(match.group(1).casefold(), match.group(2).strip())
    return Parsed("", stripped)


def _looks_like_arguments(name: str, rest: str) -> bool:
    words = rest.split()
    if name == "delete":
        return len(words) == 1
    # digest/report take a period and optionally a team: a handful of words at most.
    return len(words) <= 4 and len(rest) <= 100


def parse_painpoint_number(argument: str) -> int | None:
    """`12` or `#12` → 12; anything else → None."""
    match = re.fullmatch(r"#?(\d{1,9})", argument.strip())
    return int(match.group(1)) if match else None
