"""Recognise answers that say nothing ("n/a", "nothing", "-") so they stay out of themes."""

from __future__ import annotations

import re
import unicodedata

# Whole answers (after normalisation) that carry no pain point. Kept explicit rather
# than clever: a false positive silently drops a real complaint.
_EXACT = frozenset(
    {
        "n a",
        "na",
        "n.a",
        "nil",
        "null",
        "none",
        "nothing",
        "no",
        "nope",
        "nah",
        "nay",
        "idk",
        "dunno",
        "tbd",
        "tba",
        "pass",
        "skip",
        "same",
        "same as before",
        "same as last week",
        "see above",
        "not sure",
        "unsure",
        "no idea",
        "not applicable",
        "all good",
        "its fine",
        "it s fine",
        "fine",
        "ok",
        "okay",
        "good",
        "test",
        "testing",
        "asdf",
        "x",
        "xx",
        "xxx",
    }
)
_PATTERNS = (
    # "nothing really", "none at the moment", "no for now", "nothing this week"
    re.compile(
        r"^(nothing|none|no|nope|nah|nada|zilch)( (really|much|special|new|else|to report|"
        r"to add|to say|comes to mind|springs to mind|at (the|this) (moment|time|point)|"
        r"atm|rn|right now|currently|for now|so far|this (week|time|month)|today|thanks?|"
        r"thank you))*$"
    ),
    re.compile(
        r"^no (comments?|complaints?|issues?|problems?|pain ?points?|concerns?|answer)"
        r"( (really|at (the|this) (moment|time)|for now|so far|this (week|time)|today))?$"
    ),
    re.compile(r"^(i )?(don ?t|do not|dont) know$"),
    re.compile(r"^(i m |i am )?not sure$"),
    re.compile(r"^(everything|all|it) ?(s|is)? (fine|good|ok|okay|great)$"),
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def is_non_answer(text: str | None) -> bool:
    """True if the answer carries no content: empty, punctuation only, or "n/a"-style."""
    if text is None:
        return True
    norm = _normalise(text)
    if not norm or norm.isdigit():
        return True
    if norm in _EXACT:
        return True
    return any(p.match(norm) for p in _PATTERNS)
