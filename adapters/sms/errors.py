"""The gateway client's errors turned into ours at the adapter boundary.

Every send carries an id derived from its delivery row, and the gateway answers 409 to a
second message with the same id: a resend can never show the SMS twice. So a time-out or a
lost connection is safe to retry (``TransientError``), unlike on Telegram; 409 means the first
attempt did arrive and is a success, handled by the adapter before it gets here.
"""

from __future__ import annotations

import asyncio

import aiohttp
from android_sms_gateway import errors as gateway

from animabot.errors import (
    ChatUnreachableError,
    PlatformError,
    RateLimitedError,
    RejectedError,
    TransientError,
)

QUEUE_FULL_RETRY = 60.0  # seconds, when the gateway's queue is full (503)


def _message(exc: gateway.APIError) -> str:
    response = exc.response if isinstance(exc.response, dict) else {}
    return str(response.get("message") or exc)


def translate(exc: BaseException) -> PlatformError:
    """Our error for a failed request to the gateway."""
    if isinstance(exc, gateway.APIError):
        status, text = exc.status_code or 0, _message(exc)
        if status == 429:
            return RateLimitedError(QUEUE_FULL_RETRY, "the SMS gateway asks to slow down")
        if status == 503:
            return RateLimitedError(QUEUE_FULL_RETRY, f"the SMS gateway is full ({text})")
        if status == 400:
            lowered = text.lower()
            if "phone" in lowered or "e.164" in lowered or "number" in lowered:
                return ChatUnreachableError(f"the gateway refuses the number: {text}")
            return RejectedError(f"the gateway refuses the message: {text}")
        if status in (401, 403):
            return TransientError(
                f"the SMS gateway refuses the credentials ({status}): check [sms] username "
                "and password")
        return TransientError(f"the SMS gateway answered {status}: {text}")
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return TransientError(f"the SMS gateway cannot be reached ({type(exc).__name__})")
    return PlatformError(str(exc))
