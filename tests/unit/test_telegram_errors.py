"""PTB errors become ours: retry only what cannot have been delivered."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import httpx
import pytest
from telegram import error as tg

from adapters.telegram.errors import translate
from animabot.errors import (
    ChatUnreachableError,
    DeliveryUnknownError,
    RateLimitedError,
    RejectedError,
    TransientError,
)


def _caused_by(exc: tg.TelegramError, cause: BaseException) -> tg.TelegramError:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (tg.RetryAfter(timedelta(seconds=7)), RateLimitedError),
        (tg.Forbidden("Forbidden: bot was blocked by the user"), ChatUnreachableError),
        (tg.BadRequest("Chat not found"), ChatUnreachableError),
        (tg.BadRequest("Can't parse entities: unsupported start tag"), RejectedError),
        (tg.ChatMigrated(-100123), ChatUnreachableError),
        (_caused_by(tg.NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("x")),
         TransientError),
        (_caused_by(tg.TimedOut(), httpx.ConnectTimeout("x")), TransientError),
        (_caused_by(tg.TimedOut("Pool timeout: all connections busy"), httpx.PoolTimeout("x")),
         TransientError),
        (_caused_by(tg.TimedOut(), httpx.ReadTimeout("x")), DeliveryUnknownError),
        (_caused_by(tg.NetworkError("httpx.ReadError: reset"), httpx.ReadError("x")),
         DeliveryUnknownError),
        (tg.NetworkError("Bad Gateway"), TransientError),
        # The same lines through the aiohttp transport (adapters/telegram/transport.py).
        (_caused_by(tg.NetworkError("aiohttp.ClientConnectorError: refused"),
                    aiohttp.ClientConnectorError(None, OSError(111, "refused"))),  # type: ignore[arg-type]
         TransientError),
        (_caused_by(tg.TimedOut("no connection in time"), aiohttp.ConnectionTimeoutError()),
         TransientError),
        (_caused_by(tg.TimedOut(), aiohttp.SocketTimeoutError()), DeliveryUnknownError),
        (_caused_by(tg.NetworkError("aiohttp.ServerDisconnectedError: Server disconnected"),
                    aiohttp.ServerDisconnectedError()), DeliveryUnknownError),
        (_caused_by(tg.NetworkError("aiohttp.ClientOSError: [Errno 104] Connection reset"),
                    aiohttp.ClientOSError(104, "Connection reset")), DeliveryUnknownError),
    ],
)
def test_each_platform_error_maps_to_what_the_worker_must_do(
    error: tg.TelegramError, expected: type[Exception]
) -> None:
    assert type(translate(error)) is expected


def test_retry_after_keeps_the_delay() -> None:
    translated = translate(tg.RetryAfter(timedelta(seconds=7)))
    assert isinstance(translated, RateLimitedError) and translated.retry_after == 7
