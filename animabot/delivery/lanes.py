"""Several sends in flight per platform, never two at once to one chat.

A round trip to the Bot API takes 50-250 ms: a worker that waits for each answer before the
next request reaches a tenth of Telegram's 30 messages a second. Each platform gets a lane of
``in_flight`` slots; the drain takes a slot before it starts a send (so a backlog never
becomes thousands of waiting tasks, and a reply claimed later is not queued behind them), and
a send holds its chat's lock from its pacing reservation to its recorded outcome, so two
messages to one chat leave, and arrive, in the order they were claimed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping

DEFAULT_IN_FLIGHT = 1  # an adapter that does not say how many it can carry


class _ChatLock:
    """A FIFO lock counted by its users, dropped when none is left (chats are many)."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class SendLanes:
    def __init__(self, in_flight: Mapping[str, int]) -> None:
        self.in_flight = {platform: max(1, n) for platform, n in in_flight.items()}
        self._slots = {p: asyncio.Semaphore(n) for p, n in self.in_flight.items()}
        self._chats: dict[tuple[str, str], _ChatLock] = {}

    async def take_slot(self, platform: str) -> None:
        """Wait for one of ``platform``'s slots; give it back with :meth:`give_slot`."""
        await self._slot(platform).acquire()

    def give_slot(self, platform: str) -> None:
        self._slot(platform).release()

    def _slot(self, platform: str) -> asyncio.Semaphore:
        if platform not in self._slots:
            self._slots[platform] = asyncio.Semaphore(DEFAULT_IN_FLIGHT)
        return self._slots[platform]

    @contextlib.asynccontextmanager
    async def chat(self, platform: str, address: str) -> AsyncIterator[None]:
        """Held from a send's pacing to its outcome: one message at a time per chat, in
        the order the sends were started (asyncio's lock wakes its waiters first in, first
        out, and a task started earlier asks for it earlier)."""
        key = (platform, address)
        entry = self._chats.get(key)
        if entry is None:
            entry = self._chats[key] = _ChatLock()
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._chats[key]
