"""Pace sends under a platform's limits: a global bucket and one bucket per chat.

Each bucket allows ``rate`` sends per second after a burst of ``burst``. Waiting happens
before a send, so a 429 is the exception rather than the way we learn the limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """Limits an adapter declares (``limits`` attribute); None means unlimited."""

    global_per_second: float | None = None
    per_chat_per_second: float | None = None
    per_group_per_minute: float | None = None


class TokenBucket:
    def __init__(self, rate: float, burst: float, now: Callable[[], float]) -> None:
        self.rate, self.burst, self._now = rate, burst, now
        self.tokens, self.updated = burst, now()

    def delay(self) -> float:
        """Take a token; return how long to wait before using it (0 when available)."""
        current = self._now()
        self.tokens = min(self.burst, self.tokens + (current - self.updated) * self.rate)
        self.updated = current
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class Pacer:
    def __init__(
        self, limits: RateLimits | None, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or RateLimits()
        self._now = now
        self._global = (
            TokenBucket(self.limits.global_per_second, self.limits.global_per_second, now)
            if self.limits.global_per_second else None
        )
        self._chats: dict[str, list[TokenBucket]] = {}

    def _chat_buckets(self, chat: str, group: bool) -> list[TokenBucket]:
        if chat not in self._chats:
            buckets = []
            if self.limits.per_chat_per_second:
                buckets.append(TokenBucket(self.limits.per_chat_per_second, 1, self._now))
            if group and self.limits.per_group_per_minute:
                per_minute = self.limits.per_group_per_minute
                buckets.append(TokenBucket(per_minute / 60, per_minute, self._now))
            self._chats[chat] = buckets
        return self._chats[chat]

    def delay_for(self, chat: str, group: bool) -> float:
        buckets = self._chat_buckets(chat, group)
        if self._global is not None:
            buckets = [*buckets, self._global]
        return max((bucket.delay() for bucket in buckets), default=0.0)

    async def wait(self, chat: str, group: bool) -> None:
        delay = self.delay_for(chat, group)
        if delay > 0:
            await asyncio.sleep(delay)
