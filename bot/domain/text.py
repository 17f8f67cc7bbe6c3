"""Small text helpers shared by messages and reports."""

from __future__ import annotations

import re


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    text = text.strip()
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


def storable(text: str) -> str:
    """The text without what no database can store: NUL characters and lone surrogates."""
    return _UNSTORABLE.sub("", text)


def is_user_id(value: object) -> bool:
    """A Slack user id as Slack sends them (`U…` or, on Enterprise Grid, `W…`)."""
    return isinstance(value, str) and _USER_ID.fullmatch(value) is not None
