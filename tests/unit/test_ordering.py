"""The keyed serial executor: one key's jobs in order, different keys at once, a bound."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from animabot.chat.ordering import KeyedSerialExecutor, SkippedError

CEILING = 10.0  # seconds: a generous bound on a loaded machine, never a sleep


def _job(log: list[str], name: str, gate: asyncio.Event | None = None
         ) -> Callable[[], Awaitable[str]]:
    async def run() -> str:
        log.append(f"start {name}")
        if gate is not None:
            await gate.wait()
        log.append(f"end {name}")
        return name
    return run


async def test_one_keys_jobs_run_in_submission_order_one_at_a_time() -> None:
    executor = KeyedSerialExecutor()
    log: list[str] = []
    gate = asyncio.Event()
    first = executor.submit("ana", _job(log, "1", gate))
    second = executor.submit("ana", _job(log, "2"))
    await asyncio.sleep(0)  # let the lane start: the second must wait for the first
    for _ in range(5):
        await asyncio.sleep(0)
    assert log == ["start 1"]
    gate.set()
    assert await asyncio.wait_for(asyncio.gather(first, second), CEILING) == ["1", "2"]
    assert log == ["start 1", "end 1", "start 2", "end 2"]


async def test_different_keys_run_at_the_same_time() -> None:
    executor = KeyedSerialExecutor()
    log: list[str] = []
    gate = asyncio.Event()
    blocked = executor.submit("ana", _job(log, "ana", gate))
    free = executor.submit("bob", _job(log, "bob"))
    assert await asyncio.wait_for(free, CEILING) == "bob"  # not behind ana's held job
    assert not blocked.done()
    gate.set()
    assert await asyncio.wait_for(blocked, CEILING) == "ana"


async def test_no_more_than_the_limit_run_at_once() -> None:
    executor = KeyedSerialExecutor(limit=3)
    running = 0
    most = 0
    gate = asyncio.Event()
    started = asyncio.Event()

    async def job() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        if running == 3:
            started.set()
        await gate.wait()
        running -= 1

    for key in range(10):
        executor.submit(key, job)
    await asyncio.wait_for(started.wait(), CEILING)
    for _ in range(5):
        await asyncio.sleep(0)
    assert running == 3
    gate.set()
    assert await asyncio.wait_for(executor.drain(), CEILING) == []
    assert most == 3 and executor.busy == 0


async def test_a_failure_is_reported_stops_its_key_and_spares_the_others() -> None:
    executor = KeyedSerialExecutor()
    log: list[str] = []
    boom = RuntimeError("boom")

    async def fail() -> None:
        raise boom

    failed = executor.submit("ana", fail)
    after = executor.submit("ana", _job(log, "ana later"))
    other = executor.submit("bob", _job(log, "bob"))
    errors = await asyncio.wait_for(executor.drain(), CEILING)
    assert errors == [boom]  # reported once; the skipped job is not another error
    assert failed.exception() is boom
    skipped = after.exception()
    assert isinstance(skipped, SkippedError) and skipped.__cause__ is boom
    assert other.result() == "bob" and log == ["start bob", "end bob"]
    # the key forgets the failure once its queue is empty: a new batch runs
    assert await asyncio.wait_for(executor.submit("ana", _job(log, "ana again")),
                                  CEILING) == "ana again"


async def test_drain_waits_for_jobs_submitted_while_it_waits() -> None:
    executor = KeyedSerialExecutor()
    log: list[str] = []

    async def chain() -> None:
        executor.submit("bob", _job(log, "late"))

    executor.submit("ana", chain)
    assert await asyncio.wait_for(executor.drain(), CEILING) == []
    assert log == ["start late", "end late"]


async def test_close_cancels_what_waits() -> None:
    executor = KeyedSerialExecutor()
    gate = asyncio.Event()
    held = executor.submit("ana", _job([], "held", gate))
    queued = executor.submit("ana", _job([], "queued"))
    await asyncio.sleep(0)
    await asyncio.wait_for(executor.close(), CEILING)
    assert held.cancelled() and queued.cancelled()


def test_the_limit_is_at_least_one() -> None:
    with pytest.raises(ValueError):
        KeyedSerialExecutor(limit=0)
