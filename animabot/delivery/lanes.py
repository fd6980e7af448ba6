"""Several sends in flight per platform, never two at once to one chat.

A round trip to the Bot API takes 50-250 ms: a worker that waits for each answer before the
next request reaches a tenth of Telegram's 30 messages a second. Each platform (each bot: a
commune's own is a lane of its own) gets a lane of ``in_flight`` slots. A send waits for a
slot in its own task, so that a full lane never holds back the sends of another platform or
bot (one campaign to Telegram groups, Matrix rooms and two communes' bots goes out on all of
them at once); a reply or a notice waiting for a slot is served before the broadcast's sends
waiting there, so it never queues behind them; the drain's claims leave a lane's rows for
later while enough sends already queue there (so a backlog never becomes thousands of tasks,
and the rows of other lanes behind it are claimed meanwhile). A send
holds its chat's lock from its pacing reservation to its recorded outcome, so two messages to
one chat leave, and arrive, in the order they were claimed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Mapping

DEFAULT_IN_FLIGHT = 1  # an adapter that does not say how many it can carry


class _ChatLock:
    """A FIFO lock counted by its users, dropped when none is left (chats are many)."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class _Slots:
    """A lane's slots: urgent waiters (replies, notices) are served before the others, each
    kind first in, first out; a slot given back goes straight to the next waiter."""

    def __init__(self, count: int) -> None:
        self.free = count
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._bulk: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._urgent) + len(self._bulk)

    async def take(self, urgent: bool) -> None:
        if self.free > 0 and not self._urgent and (urgent or not self._bulk):
            self.free -= 1
            return
        queue = self._urgent if urgent else self._bulk
        handed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(handed)
        try:
            await handed
        except asyncio.CancelledError:
            if handed.done() and not handed.cancelled():
                self.give()  # handed a slot as it was cancelled: pass it on
            else:
                queue.remove(handed)
            raise

    def give(self) -> None:
        for queue in (self._urgent, self._bulk):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self.free += 1


class SendLanes:
    def __init__(self, in_flight: Mapping[str, int]) -> None:
        self.in_flight = {platform: max(1, n) for platform, n in in_flight.items()}
        self._slots = {p: _Slots(n) for p, n in self.in_flight.items()}
        self._chats: dict[tuple[str, str], _ChatLock] = {}

    async def take_slot(self, platform: str, *, urgent: bool = False) -> None:
        """Wait for one of ``platform``'s slots (``urgent``: before every other kind of
        waiter); give it back with :meth:`give_slot`."""
        await self._slot(platform).take(urgent)

    def give_slot(self, platform: str) -> None:
        self._slot(platform).give()

    def full(self, queue: int) -> list[str]:
        """The platforms where ``queue`` sends or more wait for a slot."""
        return [platform for platform, slots in self._slots.items() if slots.waiting >= queue]

    def waiting(self, platform: str) -> int:
        """How many sends wait for one of ``platform``'s slots."""
        return self._slot(platform).waiting

    def _slot(self, platform: str) -> _Slots:
        if platform not in self._slots:
            self._slots[platform] = _Slots(DEFAULT_IN_FLIGHT)
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
