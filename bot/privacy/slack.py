"""Slack markup, access tokens and token-bearing links: what Slack adds to a message.

These rules run in the fast stage before any other detector, so that `<@U123|jane>` is
one mention and not a name, and `<mailto:…|…>` one e-mail address.
"""

from __future__ import annotations

import re

from bot.privacy.findings import EMAIL, LINK, MENTION, SECRET, Finding

# <@U123>, <@U123|name>, <!here>, <!channel>, <!everyone>, <!subteam^S123|@group>,
# <mailto:a@b.c|a@b.c>, <https://…|label>, <#C123|general>.
_SLACK_USER = re.compile(r"<@[UWB][A-Z0-9]+(?:\|[^>]*)?>")
_SLACK_SPECIAL = re.compile(r"<!(?:here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|[^>]*)?>")
_SLACK_MAILTO = re.compile(r"<mailto:[^>|]+(?:\|[^>]*)?>", re.IGNORECASE)
_SLACK_LINK = re.compile(r"<((?:https?|ftp)://[^>|\s]+)(?:\|([^>]*))?>", re.IGNORECASE)
_SLACK_CHANNEL = re.compile(r"<#C[A-Z0-9]+(?:\|([^>]*))?>")
_BARE_MENTION = re.compile(r"(?<![\w@])@(?:here|channel|everyone)\b", re.IGNORECASE)
# A handle typed by hand ("ping @jdoe", "thanks @maria.gonzalez") that Slack did not turn into
# a mention names a person all the same. Not part of an address (jane@example.com), not "@ 5".
_TYPED_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z][\w.\-]*[A-Za-z0-9]")

_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"']+", re.IGNORECASE)
# Credentials that grant access on their own: Slack tokens, GitHub and OpenAI-style keys,
# AWS access key ids, JWTs.
_TOKEN = re.compile(
    r"\b(?:xox[abposr]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}|sk-[A-Za-z0-9_-]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9._-]{10,})"
)
_TOKENISH_PATH = re.compile(r"(?:token|key|secret|session|sig|auth|password|code)", re.I)
# A member's profile on Slack (…/team/U123, …/user_profile/U123) names them like a mention.
_SLACK_MEMBER_PATH = re.compile(r"/[UW][A-Z0-9]{6,}(?=/|$)")


def _is_risky_url(url: str) -> bool:
    # A query string, a fragment or credentials may carry a token or a person's identity;
    # so may a path that names a token, a session or a signature.
    rest = url.split("//", 1)[-1]
    authority, _, path = rest.partition("/")
    if "?" in url or "#" in url or "@" in authority:
        return True
    if authority.lower().endswith("slack.com") and _SLACK_MEMBER_PATH.search("/" + path):
        return True
    return bool(_TOKENISH_PATH.search(path) or _TOKEN.search(url))


def find_slack_and_secrets(text: str) -> list[Finding]:
    """Mentions, channel links, mailto links, access tokens and risky URLs in `text`."""
    found: list[Finding] = []
    if "<" in text:
        for pattern in (_SLACK_USER, _SLACK_SPECIAL):
            found += [
                Finding(m.start(), m.end(), "mention", MENTION) for m in pattern.finditer(text)
            ]
        found += [
            Finding(m.start(), m.end(), "markup", EMAIL) for m in _SLACK_MAILTO.finditer(text)
        ]
        # A channel name is not personal and tells the reader where the problem lives.
        found += [
            Finding(m.start(), m.end(), "markup", f"#{m.group(1) or 'channel'}")
            for m in _SLACK_CHANNEL.finditer(text)
        ]
        # The label of a link is free text typed by the sender: drop it, keep a safe URL.
        for m in _SLACK_LINK.finditer(text):
            risky = _is_risky_url(m.group(1))
            found.append(
                Finding(
                    m.start(), m.end(), "link" if risky else "markup", LINK if risky else m.group(1)
                )
            )
    if "@" in text:
        for pattern in (_BARE_MENTION, _TYPED_HANDLE):
            found += [
                Finding(m.start(), m.end(), "mention", MENTION) for m in pattern.finditer(text)
            ]
    found += [Finding(m.start(), m.end(), "secret", SECRET) for m in _TOKEN.finditer(text)]
    if "://" in text:
        found += [
            Finding(m.start(), m.end(), "link", LINK)
            for m in _URL.finditer(text)
            if _is_risky_url(m.group(0))
        ]
    return found
