"""Stopping is prompt: the worker ends after the delivery in flight, not after the backlog;
a send that hangs is cut after a grace; a stop during an adapter's start cancels the start.
``docker stop`` kills after 10 s."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adapters.simulated.adapter import SimulatedAdapter
from animabot.app import run_bot
from animabot.chat.contract import InboundHandler
from animabot.chat.outgoing import OutgoingMessage, SendResult, Target
from animabot.clock import FakeClock
from animabot.core import Core
from animabot.scheduling import WakeScheduler

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..conftest import ScriptedAdapter, make_settings
from ..helpers import POLL_SCENARIO, scenario


@dataclass
class HeldAdapter(ScriptedAdapter):
    """Its first send waits until the test releases it; ``forever`` never releases."""

    in_flight: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        if not self.sent:
            self.in_flight.set()
            await self.release.wait()
        return await super().send(target, message, key=key)


async def pending_attempts(core: Core) -> list[int]:
    rows = await core.database.fetch_all("SELECT status, attempts FROM delivery")
    assert not [r for r in rows if r["status"] in ("claimed", "sending")]
    return [r["attempts"] for r in rows if r["status"] == "pending"]


async def test_a_stop_lets_the_delivery_in_flight_finish_and_leaves_the_rest_queued(
    core: Core, clock: FakeClock,
) -> None:
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"])
    adapter = HeldAdapter()
    worker = core.worker({"simulated": adapter})
    worker.batch = 2  # the backlog spans batches: a stop must not wait for them all
    scheduler = WakeScheduler(worker, clock)
    await scheduler.start()
    await asyncio.wait_for(adapter.in_flight.wait(), 30)
    stopping = asyncio.create_task(scheduler.stop())
    await asyncio.sleep(0)  # the stop is asked while the send is still out
    adapter.release.set()
    await asyncio.wait_for(stopping, 30)
    assert len(adapter.sent) == 1  # the one in flight, not the rest of its batch nor backlog
    attempts = await pending_attempts(core)
    assert len(attempts) >= 4 and set(attempts) == {0}  # queued again, no attempt spent


async def test_a_send_that_hangs_is_cut_after_the_grace(
    core: Core, clock: FakeClock, caplog: pytest.LogCaptureFixture,
) -> None:
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    adapter = HeldAdapter()  # never released
    scheduler = WakeScheduler(core.worker({"simulated": adapter}), clock)
    await scheduler.start()
    await asyncio.wait_for(adapter.in_flight.wait(), 30)
    await asyncio.wait_for(scheduler.stop(grace=0.1), 30)
    assert "cut short" in caplog.text and adapter.sent == []


async def test_a_stop_during_an_adapter_start_cancels_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    # As the Matrix adapter's catch-up after downtime: a start that takes long.
    starting, cancelled = asyncio.Event(), asyncio.Event()

    async def slow_start(self: SimulatedAdapter, handler: InboundHandler) -> None:
        starting.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    monkeypatch.setattr(SimulatedAdapter, "start", slow_start)
    caplog.set_level(logging.INFO, logger="animabot.app")
    stop = asyncio.Event()
    running = asyncio.create_task(run_bot(make_settings(tmp_path), stop=stop))
    await asyncio.wait_for(starting.wait(), 30)
    stop.set()
    await asyncio.wait_for(running, 30)
    assert cancelled.is_set() and "stopped while adapter simulated was starting" in caplog.text


async def test_the_drain_stops_between_deliveries_when_asked(
    core: Core, adapter: ScriptedAdapter,
) -> None:
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"])
    worker = core.worker({"simulated": adapter})
    worker.request_stop()
    assert await worker.drain() == 0 and adapter.sent == []
    assert set(await pending_attempts(core)) == {0}
