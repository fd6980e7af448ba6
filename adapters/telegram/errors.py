"""python-telegram-bot's errors turned into ours at the adapter boundary.

The Bot API has no idempotency key: once a request may have reached Telegram (a read or write
time-out, a connection lost mid-way), resending could show the message twice, so it becomes
:class:`DeliveryUnknownError`. Only failures known to happen before the request left (connect
errors and time-outs, the connection pool) are safe to retry.
"""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import httpx
from telegram import error as tg

from animabot.errors import (
    ChatUnreachableError,
    DeliveryUnknownError,
    PlatformError,
    RateLimitedError,
    RejectedError,
    TransientError,
)

UNREACHABLE_HINTS = ("chat not found", "bot was kicked", "bot is not a member", "have no rights",
                     "not enough rights", "need administrator rights", "chat_write_forbidden",
                     "group chat was deactivated", "peer_id_invalid", "user is deactivated")
_BEFORE_SENDING = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout,
                   aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
# A transport failure (not an HTTP status) once the request may have left.
_IN_TRANSIT = (httpx.HTTPError, aiohttp.ClientError, OSError)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _causes(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    cause: BaseException | None = exc.__cause__ or exc.__context__
    while cause is not None and len(found) < 10:
        found.append(cause)
        cause = cause.__cause__ or cause.__context__
    return found


def _left_before_sending(exc: BaseException) -> bool:
    if any(isinstance(cause, _BEFORE_SENDING) for cause in _causes(exc)):
        return True
    return "pool timeout" in str(exc).lower() or "connecterror" in str(exc).lower()


def _cut_in_transit(exc: BaseException) -> bool:
    """A connection lost or reset mid-request, as opposed to an HTTP 5xx answer."""
    lowered = str(exc).lower()
    return (any(isinstance(cause, _IN_TRANSIT) for cause in _causes(exc))
            or "read" in lowered or "protocol" in lowered)


def translate(exc: tg.TelegramError) -> PlatformError:
    """Our error for a PTB error; PTB rewrites messages, so match them case-insensitively."""
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, tg.RetryAfter):
        return RateLimitedError(_seconds(exc.retry_after))
    if isinstance(exc, tg.Forbidden):
        return ChatUnreachableError(text)
    if isinstance(exc, tg.ChatMigrated):
        return ChatUnreachableError(f"the group became supergroup {exc.new_chat_id}: link it again")
    if isinstance(exc, tg.BadRequest):
        if any(hint in lowered for hint in UNREACHABLE_HINTS):
            return ChatUnreachableError(text)
        return RejectedError(text)
    if isinstance(exc, tg.TimedOut | tg.NetworkError):
        if _left_before_sending(exc):
            return TransientError(text)
        if isinstance(exc, tg.TimedOut) or _cut_in_transit(exc):
            return DeliveryUnknownError(f"no answer from Telegram ({text}): may have been sent")
        return TransientError(text)  # 5xx: Telegram did not process it
    return PlatformError(text)
