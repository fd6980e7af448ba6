"""Button presses' answers (``answerCallbackQuery``) on a light HTTP client of their own.

In polling mode a press is answered by a request of its own. Journaled together (group
commit), a hundred presses are answered at once, and through python-telegram-bot's stack
as it was (httpx, whose connection pool walks every connection for every request) that
burst cost more CPU than handling the presses: the answers took seconds to leave. (PTB's
requests now travel on aiohttp too: ``.transport``.) Here each answer is
one aiohttp POST of a small JSON body, on connections apart from the sends' (a broadcast
filling those must not hold a toast back past the 15 s after which the client shows an
error). An answer is a courtesy: a failure is logged, never raised.
"""

from __future__ import annotations

import logging

import aiohttp

log = logging.getLogger(__name__)
CONNECTIONS = 100  # answers in flight at once (a getUpdates batch holds 100 updates)


class PressAnswers:
    def __init__(self, base_url: str, token: str, timeout: float) -> None:
        self._url = f"{base_url}{token}/answerCallbackQuery"
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def send(self, query_id: str, text: str | None) -> bool:
        """Answer one press; False when the Bot API did not take it."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                connector=aiohttp.TCPConnector(limit=CONNECTIONS))
        call: dict[str, str] = {"callback_query_id": query_id}
        if text:
            call["text"] = text
        try:
            async with self._session.post(self._url, json=call) as response:
                if response.status == 200:
                    return True
                # The URL carries the token: only the status and Telegram's words are told.
                log.info("a press could not be answered: HTTP %d %s", response.status,
                         (await response.text())[:200])
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.info("a press could not be answered (%s)", type(exc).__name__)
        return False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
