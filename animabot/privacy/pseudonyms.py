"""Keyed pseudonyms: adapters turn platform user ids into these before anything else sees them."""

from __future__ import annotations

import base64
import hashlib
import hmac


class Pseudonymizer:
    """HMAC-SHA256(key, "platform:user_id"): stable for a person, meaningless without the key."""

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"pseudonym|" + key).digest()

    def __call__(self, platform: str, user_id: str) -> str:
        digest = hmac.new(self._key, f"{platform}:{user_id}".encode(), hashlib.sha256).digest()
        return base64.b32encode(digest[:20]).decode("ascii").lower()


class ActionSigner:
    """Signs button actions so that forged or altered callback data is refused.

    Telegram limits callback data to 64 bytes: an action like ``v.1234.2`` plus a 10-character
    signature fits with room to spare.
    """

    SIGNATURE_CHARS = 10
    MAX_TOKEN = 64  # Telegram's limit on callback data, in bytes; tokens are ASCII

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"actions|" + key).digest()

    def _signature(self, action: str) -> str:
        digest = hmac.new(self._key, action.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[: self.SIGNATURE_CHARS]

    def sign(self, action: str) -> str:
        if "~" in action:
            raise ValueError("'~' is reserved as the signature separator")
        token = f"{action}~{self._signature(action)}"
        if len(token.encode()) > self.MAX_TOKEN:
            raise ValueError(f"action {action!r} is too long for a button")
        return token

    def verify(self, token: str) -> str | None:
        """The action, or ``None`` when the token was forged, altered or is not one we could
        have made (longer than a button carries, or not ASCII): refused, never an exception."""
        if len(token) > self.MAX_TOKEN or not token.isascii():
            return None
        action, _, signature = token.rpartition("~")
        if not action or not hmac.compare_digest(
            signature.encode("ascii"), self._signature(action).encode("ascii")
        ):
            return None
        return action
