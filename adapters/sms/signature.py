"""Checking an incoming webhook: the gateway signs each request it posts.

``X-Signature`` is the hex HMAC-SHA256, under the app's signing key, of the raw body followed
directly by ``X-Timestamp`` (Unix seconds, as a string). A request whose timestamp is further
than the tolerance from our clock is refused even with a good signature: a recorded request
replayed later must not count again. Compared in constant time. Pure.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

SIGNATURE_HEADER = "X-Signature"
TIMESTAMP_HEADER = "X-Timestamp"


class Verdict(StrEnum):
    GOOD = "good"
    MISSING = "missing"  # no signature or no timestamp
    STALE = "stale"  # the timestamp is too far from now, or not a number
    FORGED = "forged"  # the signature does not match


def sign(key: str, body: bytes, timestamp: str) -> str:
    return hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def verify(key: str, body: bytes, timestamp: str | None, signature: str | None,
           now: float, tolerance: float) -> Verdict:
    if not timestamp or not signature:
        return Verdict.MISSING
    try:
        moment = int(timestamp)
    except ValueError:
        return Verdict.STALE
    if abs(now - moment) > tolerance:
        return Verdict.STALE
    expected = sign(key, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        return Verdict.FORGED
    return Verdict.GOOD
