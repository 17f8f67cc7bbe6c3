"""Text waiting for the full scrub is stored sealed: encrypted and authenticated with a key
derived from PAINPOINT_SECRET_KEY, so a database file or backup never holds it in the clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

_PURPOSE = b"painpoint sealed text v1"


class SealError(ValueError):
    """A sealed value that this key cannot open (another key, or tampered with)."""


class Sealer:
    """Seals and opens small JSON payloads (Fernet: AES-128-CBC + HMAC-SHA256)."""

    def __init__(self, secret_key: str) -> None:
        key = hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, payload: dict[str, Any]) -> bytes:
        """The payload, encrypted."""
        return self._fernet.encrypt(json.dumps(payload, ensure_ascii=False).encode())

    def open(self, sealed: bytes) -> dict[str, Any]:
        """The payload back; SealError when this key cannot open it."""
        try:
            data = json.loads(self._fernet.decrypt(bytes(sealed)))
        except (InvalidToken, ValueError) as exc:
            raise SealError("sealed text cannot be opened with this key") from exc
        if not isinstance(data, dict):
            raise SealError("sealed text is not a payload")
        return data
