"""Turning `/painpoint` text into a sub-command, or a report.

A sub-command is recognised only in its exact forms (`mine`, `delete 42`, `digest 30d Finance`);
everything else is a report, so no text a person types to report is ever lost. When a report
starts with a sub-command's name, `maybe` names it so the reply can offer it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.themes import PERIODS

PAINPOINT_COMMAND = "/painpoint"
SIMPLE = ("help", "mine", "settings", "privacy", "forget")
SCOPED = ("digest", "report")
MAX_TEAM_WORDS = 3
PILOT_LOG = re.compile(r"log\s+#?(\d{1,9})\s+(.{1,64}?)\s+(-?\d+(?:[.,]\d+)?)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Parsed:
    """A sub-command name ("" for a report) and its arguments.

    `loose` marks a scoped sub-command with words that may name a team or may be a report
    ("digest Finance", "report generation is slow"): for anyone without the role, and for a
    manager when the words name no team, the text is recorded as a report.
    """

    name: str
    argument: str
    maybe: str | None = None
    loose: bool = False


def parse_command_text(text: str) -> Parsed:
    """Read the text of `/painpoint` (no data is read here: roles are checked first)."""
    stripped = text.strip()
    words = stripped.split()
    if not words:
        return Parsed("", "")
    head, rest = words[0].casefold(), words[1:]
    argument = stripped[len(words[0]) :].strip()
    if head in SIMPLE:
        return Parsed(head, "") if not rest else _report(stripped, head, rest)
    if head == "delete":
        if not rest:
            return Parsed("delete", "")
        if len(rest) == 1 and re.fullmatch(r"#?\d{1,9}", rest[0]):
            return Parsed("delete", rest[0])
        return _report(stripped, head, rest)
    if head in ("pilot", "pilots"):
        # `pilots`, `pilot 12` and `pilot log 12 <KPI name> <number>` only; anything else is a
        # report, with no hint: most people who write "pilot" mean a pilot of their own.
        if head == "pilots" and not rest:
            return Parsed("pilots", "")
        if head == "pilot" and (
            re.fullmatch(r"#?\d{1,9}", argument) or PILOT_LOG.fullmatch(argument)
        ):
            return Parsed("pilot", argument)
        return Parsed("", stripped)
    if head in SCOPED:
        if not rest or (rest[0].casefold() in PERIODS and len(rest) <= MAX_TEAM_WORDS + 1):
            return Parsed(head, argument)
        if len(rest) <= MAX_TEAM_WORDS:
            # A team we may not know: the handler decides once the role is checked.
            return Parsed(head, argument, loose=True)
        return _report(stripped, head, rest)
    return Parsed("", stripped)


def _report(text: str, head: str, rest: Sequence[str]) -> Parsed:
    # Short texts may be a mistyped sub-command; long ones are plainly reports.
    return Parsed("", text, maybe=head if len(rest) <= MAX_TEAM_WORDS else None)


def team_named(name: str, known: Sequence[str]) -> str | None:
    """The known team with this name, whatever its case and spacing."""
    wanted = " ".join(name.split()).casefold()
    return next((team for team in known if " ".join(team.split()).casefold() == wanted), None)


def parse_painpoint_number(argument: str) -> int | None:
    """`12` or `#12` → 12; anything else → None."""
    match = re.fullmatch(r"#?(\d{1,9})", argument.strip())
    return int(match.group(1)) if match else None
