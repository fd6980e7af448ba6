"""Group member counts (reach) on a light HTTP client of their own.

A count is a figure for the report, asked once per group every few hours beside the sends:
through python-telegram-bot (then on httpx; request objects, answer parsing) it cost about
what a send costs, doubling the CPU of a first broadcast to groups never counted. Here it is
one aiohttp request and one JSON number, on connections apart from the sends'. Errors
become ours as PTB's would: the reach book logs them and records no count.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from animabot.errors import ChatUnreachableError, PlatformError, RateLimitedError, RejectedError

from .errors import UNREACHABLE_HINTS

CONNECTIONS = 8  # the reach book asks 8 at most at once
TIMEOUT = 15.0


class MemberCounts:
    def __init__(self, base_url: str, token: str) -> None:
        self._url = f"{base_url}{token}/getChatMemberCount"
        self._session: aiohttp.ClientSession | None = None

    async def get(self, chat_id: int) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=TIMEOUT),
                connector=aiohttp.TCPConnector(limit=CONNECTIONS))
        try:
            async with self._session.post(self._url, json={"chat_id": chat_id}) as response:
                status = response.status
                body: Any = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            # The URL carries the token: only the kind of failure is told.
            raise PlatformError(f"member count unavailable ({type(exc).__name__})") from None
        if isinstance(body, dict) and body.get("ok") and isinstance(body.get("result"), int):
            return int(body["result"])
        raise _error(status, body if isinstance(body, dict) else {})

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _error(status: int, body: dict[str, Any]) -> PlatformError:
    text = str(body.get("description") or f"HTTP {status}")
    if status == 429:
        retry = (body.get("parameters") or {}).get("retry_after", 1)
        return RateLimitedError(float(retry))
    if status == 403 or any(hint in text.lower() for hint in UNREACHABLE_HINTS):
        return ChatUnreachableError(text)
    if status == 400:
        return RejectedError(text)
    return PlatformError(text)
