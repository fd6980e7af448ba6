"""Benchmark: one step to 100 Matrix rooms through a link adding 50 ms each way.

A real Synapse on loopback, behind ``tests/support/latency_proxy.py`` (every byte held 50 ms
each way: a 100 ms round trip, as to a homeserver across a network). The bot's own message
rate limit is lifted on the server (the admin override, as the tests do), so the bound is
the configured ``[matrix] rate`` and ``burst``. For each run, in the same process against
the same server and proxy:

- **baseline**: a raw matrix-nio ``room_send`` loop paced at the same rate, with the same
  number of requests in flight;
- **animabot**: an announcement to every room through the outbox worker (pacer, lanes,
  transaction ids, one committed row per message).

Printed: achieved rate ÷ configured rate (goal ≥ 0.9), median and min-max over the runs.

    python bench/bench_matrix_send.py [--rooms 100] [--rate 20] [--burst 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from nio import AsyncClient, AsyncClientConfig, RoomSendResponse  # type: ignore[import-untyped]
from pydantic import SecretStr

from adapters.matrix.adapter import MatrixAdapter
from animabot.clock import SystemClock
from animabot.config import NeighbourhoodSettings, load_settings
from animabot.core import open_core
from animabot.scenario.model import Scenario
from animabot.store.state import PlatformState
from tests.support.latency_proxy import LatencyProxy
from tests.support.matrix import MatrixUser, Residents, SynapseServer

ONE_WAY = 0.05  # seconds added by the proxy in each direction
IN_FLIGHT = 4  # [matrix] in_flight's default
TEXT = "Annonce de la mairie : réunion jeudi à 18 h."
FINAL = ("sent", "failed", "skipped", "unknown")


async def raw_nio(url: str, bot: MatrixUser, rooms: list[str], rate: float, burst: int,
                  run: int) -> float:
    """Messages per second of a raw nio loop: ``burst`` at once, then one every 1/rate."""
    client = AsyncClient(url, bot.user_id,
                         config=AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0))
    client.restore_login(bot.user_id, bot.device_id, bot.access_token)
    slots = asyncio.Semaphore(IN_FLIGHT)
    failures = 0

    async def one(index: int, room: str) -> None:
        nonlocal failures
        try:
            answer = await client.room_send(room, "m.room.message",
                                            {"msgtype": "m.text", "body": TEXT},
                                            tx_id=f"raw-{run}-{index}")
            failures += not isinstance(answer, RoomSendResponse)
        finally:
            slots.release()

    try:
        began = time.monotonic()
        tasks = []
        for index, room in enumerate(rooms):
            await slots.acquire()
            at = began + max(0, index - burst + 1) / rate
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            tasks.append(asyncio.create_task(one(index, room)))
        await asyncio.gather(*tasks)
        wall = time.monotonic() - began
    finally:
        await client.close()
    if failures:
        raise RuntimeError(f"the raw loop had {failures} failed sends")
    return len(rooms) / wall


async def with_animabot(url: str, bot: MatrixUser, rooms: list[str], rate: float, burst: int,
                        tmp: Path) -> float:
    """Messages per second of one announcement to every room through the worker."""
    settings = load_settings(None, database=tmp / "bench.db")
    settings.privacy.key = SecretStr("bench-key-0123456789abcdef0123456789")
    settings.delivery.quiet_hours = ""
    settings.delivery.closed_days = []
    settings.matrix.enabled = True
    settings.matrix.encryption = False
    settings.matrix.homeserver = url
    settings.matrix.user_id = bot.user_id
    settings.matrix.device_id = bot.device_id
    settings.matrix.access_token = SecretStr(bot.access_token)
    settings.matrix.rate, settings.matrix.burst = rate, burst
    settings.matrix.in_flight = IN_FLIGHT
    settings.matrix.sync_timeout = 1
    settings.neighbourhoods = [NeighbourhoodSettings(id="ville", name="Ville",
                                                     matrix_rooms=rooms)]
    scenario = Scenario.model_validate({"id": "bench", "title": "Bench", "steps": [
        {"id": "annonce", "kind": "announcement", "at": "+0", "text": TEXT}]})
    async with open_core(settings, SystemClock()) as core:
        adapter = MatrixAdapter(settings, core.pseudonymize, PlatformState(core.database, "m"))
        worker = core.worker({"matrix": adapter})
        await adapter.start(core.conversation.handle)
        try:
            await core.campaigns.start(scenario, ["ville"], datetime.now(UTC))
            began = time.monotonic()
            draining = asyncio.create_task(worker.drain())
            marks = ", ".join("?" * len(FINAL))
            while await core.database.fetch_one(
                f"SELECT 1 FROM delivery WHERE status NOT IN ({marks}) LIMIT 1", FINAL
            ) is not None:
                await asyncio.sleep(0.01)
            wall = time.monotonic() - began
            await draining  # the member counts looked up beside the sends
            row = await core.database.fetch_one(
                "SELECT COUNT(*) AS n FROM delivery WHERE status = 'sent'")
            if row is None or row["n"] != len(rooms):
                raise RuntimeError(f"animabot sent {row and row['n']} of {len(rooms)}")
        finally:
            await adapter.stop()
    return len(rooms) / wall


def spread(values: list[float], fmt: str) -> str:
    return (f"{format(statistics.median(values), fmt)} "
            f"({format(min(values), fmt)}-{format(max(values), fmt)})")


async def measure(server: SynapseServer, rooms_count: int, rate: float, burst: int,
                  repeat: int, tmp: Path) -> None:
    bot = server.register("bot")
    server.override_ratelimit(bot.user_id, 0, 0)
    async with aiohttp.ClientSession() as session:
        residents = Residents(session, server.base_url)
        gate = asyncio.Semaphore(8)

        async def room(index: int) -> str:
            async with gate:
                return await residents.create_room(bot, f"Quartier {index}")

        rooms = list(await asyncio.gather(*(room(i) for i in range(rooms_count))))
    raw, ours = [], []
    async with LatencyProxy("127.0.0.1", server.port, delay=ONE_WAY) as proxy:
        for run in range(repeat):  # alternated: both see the same server and machine state
            raw.append(await raw_nio(proxy.url, bot, rooms, rate, burst, run))
            here = tmp / f"run{run}"
            here.mkdir()
            ours.append(await with_animabot(proxy.url, bot, rooms, rate, burst, here))
    print(f"one step to {rooms_count} Matrix rooms, real Synapse behind a proxy adding "
          f"{ONE_WAY * 1000:.0f} ms each way; configured rate {rate:g}/s, burst {burst}, "
          f"{IN_FLIGHT} in flight; {repeat} runs: median (min-max)")
    print(f"baseline raw nio room_send loop: {spread([r / rate for r in raw], '.3f')} of the "
          f"configured rate   ({spread(raw, '.1f')} msg/s)")
    print(f"animabot outbox worker:          {spread([r / rate for r in ours], '.3f')} of the "
          f"configured rate   ({spread(ours, '.1f')} msg/s)")
    print(f"ratio of medians animabot / baseline: "
          f"{statistics.median(ours) / statistics.median(raw):.2f}")


async def main(rooms: int, rate: float, burst: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
        (Path(tmp) / "synapse").mkdir()
        with SynapseServer(Path(tmp) / "synapse") as server:
            await measure(server, rooms, rate, burst, repeat, Path(tmp))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rooms, arguments.rate, arguments.burst, arguments.repeat))
