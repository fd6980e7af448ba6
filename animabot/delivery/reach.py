"""How many members a chat had when a message was sent ("reach"), off the send's path.

Asking the platform (Telegram's getChatMemberCount, Matrix's joined members) after each send
doubled the round trips per message. A count is now kept per chat for a few hours; a send to a
chat whose count is unknown or stale is recorded without it, and one lookup per chat, running
beside the sends, fills in the rows sent there meanwhile. A new process starts from the counts
recorded in the last few hours (``seed``), not from an empty book: a restart mid-campaign does
not ask every chat again. The counts found are written together, at most every half second and
when the drain ends (one statement for all, not a transaction a chat): they are figures for
the report, and a crash meanwhile costs only the reach of those rows, never a message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from ..chat.contract import ChatAdapter
from ..errors import PlatformError, StorageError

log = logging.getLogger(__name__)
KEEP_SECONDS = 3 * 3600.0
LOOKUPS_AT_ONCE = 8  # per worker: member counts are not messages, but they are requests
RECORD_EVERY = 0.5  # seconds: the counts found meanwhile are written in one statement

Record = Callable[[Sequence[tuple[int, int]]], Awaitable[None]]  # (delivery id, count)


class ReachBook:
    def __init__(
        self, record: Record, *, keep: float = KEEP_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._record = record
        self._keep = keep
        self._now = now
        self._counts: dict[tuple[str, str], tuple[float, int]] = {}
        self._waiting: dict[tuple[str, str], list[int]] = {}  # rows waiting for a lookup
        self._tasks: set[asyncio.Task[None]] = set()
        self._at_once = asyncio.Semaphore(LOOKUPS_AT_ONCE)
        self._found: list[tuple[int, int]] = []  # counts not written yet
        self._written = now()  # when the last ones were

    def known(self, platform: str, address: str) -> int | None:
        """The chat's count if looked up less than ``keep`` seconds ago."""
        entry = self._counts.get((platform, address))
        if entry is None or self._now() - entry[0] > self._keep:
            return None
        return entry[1]

    def seed(self, platform: str, address: str, count: int, age: float) -> None:
        """A count recorded ``age`` seconds ago (in the database, by an earlier process)."""
        if age <= self._keep:
            self._counts[(platform, address)] = (self._now() - max(0.0, age), count)

    def look_up(self, adapter: ChatAdapter, address: str, delivery_id: int) -> None:
        """Fill in ``delivery_id``'s reach later; one lookup per chat at a time."""
        key = (adapter.platform, address)
        if key in self._waiting:
            self._waiting[key].append(delivery_id)
            return
        self._waiting[key] = [delivery_id]
        task = asyncio.create_task(self._fetch(adapter, key), name="animabot-reach")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def pending(self) -> bool:
        return bool(self._tasks) or bool(self._found)

    async def settle(self) -> None:
        """Wait for the lookups under way and write what they found (the drain does, before
        it says it is done)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._write()

    def cancel(self) -> None:
        """The bot stops: lookups are dropped (their rows keep no reach, as before)."""
        for task in self._tasks:
            task.cancel()

    async def _fetch(self, adapter: ChatAdapter, key: tuple[str, str]) -> None:
        try:
            async with self._at_once:
                count = await adapter.member_count(key[1])
        except PlatformError as exc:
            log.info("member count unavailable for a chat on %s: %s", key[0], exc)
            count = None
        except Exception:  # an adapter bug must not stop the worker
            log.exception("member count failed on %s", key[0])
            count = None
        ids = self._waiting.pop(key, [])
        if count is None:
            return
        self._counts[key] = (self._now(), count)
        self._found += [(delivery_id, count) for delivery_id in ids]
        if self._now() - self._written >= RECORD_EVERY:
            await self._write()

    async def _write(self) -> None:
        found, self._found = self._found, []
        self._written = self._now()
        if not found:
            return
        try:
            await self._record(found)
        except StorageError as exc:  # a figure for the report: not worth waiting for
            log.info("reach of %d deliveries not saved: %s", len(found), exc)
