"""Concurrency with order where it matters: a keyed serial executor for inbound events.

A platform hands the bot a batch of updates at once; handling them one after the other makes
each resident wait for everyone before them, network round trips included (a button's answer
takes 50-250 ms to Telegram). Updates of different keys (residents, chats, rooms) run
concurrently here, one key's in the order they were submitted, and at most ``limit`` at once.
The adapter chooses the key and waits for ``drain`` before it confirms the batch to its
platform, so nothing is confirmed before it is journaled.

A job that raises fails the jobs queued behind it on the same key with :class:`SkippedError`
(a later update must not be handled before an earlier one that will be offered again); other
keys go on. The key forgets the failure once its queue is empty.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import AnimabotError

T = TypeVar("T")
Job = Callable[[], Awaitable[Any]]


class SkippedError(AnimabotError):
    """A job was not run: an earlier job of its key failed (``__cause__`` is that failure)."""


@dataclass
class _Lane:
    """One key's queue; ``failure`` poisons what is queued behind it."""

    queue: list[tuple[Job, asyncio.Future[Any]]] = field(default_factory=list)
    failure: BaseException | None = None


class KeyedSerialExecutor:
    """FIFO per key, concurrent across keys, ``limit`` jobs running at most."""

    def __init__(self, limit: int = 64) -> None:
        if limit < 1:
            raise ValueError("limit must be 1 or more")
        self._slots = asyncio.Semaphore(limit)
        self._lanes: dict[Hashable, _Lane] = {}
        self._runners: set[asyncio.Task[None]] = set()
        self._pending: set[asyncio.Future[Any]] = set()

    def submit(self, key: Hashable, job: Callable[[], Awaitable[T]]) -> asyncio.Future[T]:
        """Queue ``job`` behind the key's earlier jobs; the future holds its result or error."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane()
            runner = asyncio.create_task(self._run(key, lane), name=f"lane-{key}")
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)
        lane.queue.append((job, future))
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return future

    async def drain(self) -> list[BaseException]:
        """Wait for every job submitted so far (and any submitted meanwhile); returns the
        errors they raised, skipped jobs excluded, in no particular order."""
        errors: list[BaseException] = []
        while self._pending:
            done = await asyncio.gather(*self._pending, return_exceptions=True)
            errors += [e for e in done
                       if isinstance(e, BaseException) and not isinstance(e, SkippedError)]
        return errors

    @property
    def busy(self) -> int:
        """Jobs submitted and not finished yet."""
        return len(self._pending)

    async def close(self) -> None:
        """Cancel what runs and what waits (at shutdown)."""
        for runner in list(self._runners):
            runner.cancel()
        await asyncio.gather(*self._runners, return_exceptions=True)
        for future in list(self._pending):
            future.cancel()

    async def _run(self, key: Hashable, lane: _Lane) -> None:
        try:
            while lane.queue:
                job, future = lane.queue.pop(0)
                if future.done():  # cancelled by its submitter
                    continue
                if lane.failure is not None:
                    skipped = SkippedError(f"an earlier job of {key!r} failed")
                    skipped.__cause__ = lane.failure
                    future.set_exception(skipped)
                    continue
                async with self._slots:
                    try:
                        result = await job()
                    except asyncio.CancelledError:
                        future.cancel()
                        raise
                    except Exception as exc:  # reported through the future
                        lane.failure = exc
                        if not future.done():
                            future.set_exception(exc)
                        continue
                if not future.done():
                    future.set_result(result)
        finally:
            del self._lanes[key]
            for _, future in lane.queue:
                future.cancel()
