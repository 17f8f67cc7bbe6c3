"""Replace e-mail addresses, phone numbers, Slack mentions and secret-bearing URLs in text.

Scrubbing runs before anything is stored or logged, so unscrubbed text never leaves the
request that carried it.
"""

from __future__ import annotations

import re

EMAIL = "[email]"
PHONE = "[phone]"
MENTION = "[mention]"
LINK = "[link]"
SECRET = "[secret]"

# Slack's own markup: <@U123>, <@U123|name>, <!here>, <!channel>, <!everyone>,
# <!subteam^S123|@group>, <mailto:a@b.c|a@b.c>, <https://…|label>, <#C123|general>.
_SLACK_USER = re.compile(r"<@[UWB][A-Z0-9]+(?:\|[^>]*)?>")
_SLACK_SPECIAL = re.compile(r"<!(?:here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|[^>]*)?>")
_SLACK_MAILTO = re.compile(r"<mailto:[^>|]+(?:\|[^>]*)?>", re.IGNORECASE)
_SLACK_LINK = re.compile(r"<((?:https?|ftp)://[^>|\s]+)(?:\|([^>]*))?>", re.IGNORECASE)
_SLACK_CHANNEL = re.compile(r"<#C[A-Z0-9]+(?:\|([^>]*))?>")
_BARE_MENTION = re.compile(r"(?<![\w@])@(?:here|channel|everyone)\b", re.IGNORECASE)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"']+", re.IGNORECASE)
# Tokens that grant access on their own: Slack tokens, bearer-style keys.
_TOKEN = re.compile(
    r"\b(?:xox[abposr]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}|sk-[A-Za-z0-9_-]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9._-]{10,})"
)
# Phone numbers: an optional +, then 7 to 15 digits in groups separated by spaces, dots,
# dashes or parentheses. Dates and plain amounts are kept (see _looks_like_phone).
# A match may not end on the hour of a time ("2024-03-15 10:30"), so dates next to times survive.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d[\d\s.-]{5,}\d(?!\w|:\d)"
)
_DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_YEAR_RANGE = re.compile(r"^(?:19|20)\d{2}\s?-\s?(?:19|20)\d{2}$")
_DOTTED = re.compile(r"^\d+(?:\.\d+)+$")
_TOKENISH_QUERY = re.compile(r"(?:token|key|secret|session|sig|auth|password|code)", re.I)


def _looks_like_phone(candidate: str) -> bool:
    stripped = candidate.strip()
    digits = sum(ch.isdigit() for ch in stripped)
    if digits < 7 or digits > 15:
        return False
    if _DATE.match(stripped) or _YEAR_RANGE.match(stripped):
        return False
    # Versions and addresses (10.4.1.2301, 192.168.0.1) have a one-digit group after the first;
    # dotted phone numbers (415.555.0134, 01.23.45.67.89) do not.
    if _DOTTED.match(stripped) and any(len(group) == 1 for group in stripped.split(".")[1:]):
        return False
    # A lone run of digits without separators or a + is an id or an amount, not a phone.
    has_structure = stripped.startswith(("+", "(")) or bool(re.search(r"\d[\s.-]\d", stripped))
    return has_structure or digits >= 10


def _scrub_url(url: str) -> str:
    # A URL with a query string, fragment or credentials may carry a token: drop it whole.
    if "?" in url or "#" in url or "@" in url.split("//", 1)[-1].split("/", 1)[0]:
        return LINK
    if _TOKENISH_QUERY.search(url.split("//", 1)[-1].split("/", 1)[-1]) or _TOKEN.search(url):
        return LINK
    return url


def scrub(text: str) -> str:
    """Return `text` with personal data and secrets replaced by placeholders."""
    text = _SLACK_USER.sub(MENTION, text)
    text = _SLACK_SPECIAL.sub(MENTION, text)
    text = _SLACK_MAILTO.sub(EMAIL, text)
    text = _SLACK_CHANNEL.sub(lambda m: f"#{m.group(1)}" if m.group(1) else "#channel", text)
    text = _SLACK_LINK.sub(lambda m: _scrub_url(m.group(1)), text)
    text = _BARE_MENTION.sub(MENTION, text)
    text = _TOKEN.sub(SECRET, text)
    text = _URL.sub(lambda m: _scrub_url(m.group(0)), text)
    text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(lambda m: PHONE if _looks_like_phone(m.group(0)) else m.group(0), text)
    return text
