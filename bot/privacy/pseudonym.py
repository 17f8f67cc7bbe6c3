"""Keyed reporter pseudonyms: count distinct reporters without keeping Slack user ids."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def reporter_pseudonym(secret_key: str, team_id: str, user_id: str) -> str:
    """HMAC-SHA256 of team and user id under the deployment's secret key, as hex."""
    message = f"{team_id}:{user_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def import_pseudonym(secret_key: str, source: str, reporter: str | None) -> str:
    """Pseudonym for an imported row; rows without a reporter get a fresh random one each."""
    if reporter is None or not reporter.strip():
        return "anon-" + secrets.token_hex(16)
    return reporter_pseudonym(secret_key, f"import:{source}", reporter.strip())
