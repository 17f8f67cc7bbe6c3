"""Nudge audiences as trainers write them: users, channels, user groups and `theme:N`."""

from __future__ import annotations

import re
from collections.abc import Iterable

_ENTRY = re.compile(r"(?:[UWCGS][A-Z0-9]{2,30}|theme:\d{1,9})")
MAX_ENTRIES = 200


class AudienceError(ValueError):
    """An audience entry that is not a Slack id; the message names it."""


def parse_audience(entries: Iterable[str]) -> list[str]:
    """Normalise and check entries (users U/W, channels C/G, user groups S, `theme:<id>`)."""
    cleaned: list[str] = []
    for raw in entries:
        for part in re.split(r"[\s,]+", raw.strip()):
            if not part:
                continue
            entry = part if part.startswith("theme:") else part.upper()
            # Accept Slack's own markup as pasted from a message: <@U123>, <#C123|x>, <!subteam^S1>.
            match = re.fullmatch(r"<[@#!](?:subteam\^)?([A-Z0-9]+)(?:\|[^>]*)?>", part)
            if match:
                entry = match.group(1)
            if not _ENTRY.fullmatch(entry):
                raise AudienceError(
                    f"{part!r} is not a user (U…), channel (C…), user group (S…) or theme:<id>"
                )
            if entry not in cleaned:
                cleaned.append(entry)
    if len(cleaned) > MAX_ENTRIES:
        raise AudienceError(f"at most {MAX_ENTRIES} audience entries, got {len(cleaned)}")
    return cleaned
