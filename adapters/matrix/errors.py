"""nio returns errors as objects; here they become our exceptions, at the adapter boundary."""

from __future__ import annotations

from typing import Any

from animabot.errors import (
    ChatUnreachableError,
    PlatformError,
    RateLimitedError,
    RejectedError,
    TransientError,
)

UNREACHABLE = ("M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN")
REJECTED = ("M_BAD_JSON", "M_NOT_JSON", "M_TOO_LARGE", "M_INVALID_PARAM")


def translate_error(response: Any) -> PlatformError:
    """Our error for a nio ``ErrorResponse``. Sends carry a transaction id, so a retry after an
    unclear failure is safe: the homeserver drops the duplicate."""
    code = getattr(response, "status_code", None) or ""
    message = str(response)
    retry_after_ms = getattr(response, "retry_after_ms", None)
    if code == "M_LIMIT_EXCEEDED" or retry_after_ms:
        return RateLimitedError((retry_after_ms or 5000) / 1000, message)
    if code in UNREACHABLE:
        return ChatUnreachableError(message)
    if code in REJECTED:
        return RejectedError(message)
    return TransientError(message)
