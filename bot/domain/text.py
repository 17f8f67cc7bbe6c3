"""Small text helpers shared by messages and reports."""

from __future__ import annotations

import re


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    text = text.strip()
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


# NUL and lone surrogates no database stores; U+FFFD only marks bytes that were not text.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff\ufffd]")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


def storable(text: str) -> str:
    """The text without what no database can store (NUL, lone surrogates) and without the
    replacement marks left where bytes were not text."""
    return _UNSTORABLE.sub("", text)


def is_user_id(value: object) -> bool:
    """A Slack user id as Slack sends them (`U…` or, on Enterprise Grid, `W…`)."""
    return isinstance(value, str) and _USER_ID.fullmatch(value) is not None


# What database drivers add to an error message that can quote a row's values, as real lines
# of a traceback or as escaped "\\n" inside a repr().
_DETAIL_LINES = re.compile(
    r"(?:\\n|\n)[ \t]*(?:DETAIL|HINT|CONTEXT|\[SQL|\[parameters)[^\n]*?(?=\\n|\n|$)"
)


def without_row_values(message: str) -> str:
    """An error message or traceback without the lines that quote stored values.

    PostgreSQL explains a constraint violation with "DETAIL: Failing row contains (…)" — the
    report's text — and SQLAlchemy appends the statement; neither belongs in a log.
    """
    return _DETAIL_LINES.sub("", message)
