"""Benchmark: poll-to-tally latency for 100 responses on a real Synapse.

A poll is posted in a room of 100 residents, who all answer at once (10 requests in flight).
Latency: from the first response sent to the last one counted. Baseline, in the same run on
the same server: a raw matrix-nio client syncing and counting the response events. animabot:
the adapter's sync loop, the core's inbox and the answers table on SQLite.

    python bench/bench_matrix.py [--responses 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from nio import AsyncClient, AsyncClientConfig  # type: ignore[import-untyped]
from pydantic import SecretStr

from adapters.matrix.adapter import MatrixAdapter
from animabot.clock import SystemClock
from animabot.config import NeighbourhoodSettings, load_settings
from animabot.core import open_core
from animabot.scenario.model import Scenario
from animabot.store.state import PlatformState
from tests.support.matrix import MatrixUser, Residents, SynapseServer

POLL_START = "org.matrix.msc3381.poll.start"
RESPONSE = "org.matrix.msc3381.poll.response"


async def vote_all(residents: Residents, people: list[MatrixUser], room: str, poll: str,
                   answers: list[str]) -> float:
    """Everyone votes (10 in flight); returns when the first vote was sent."""
    gate = asyncio.Semaphore(10)
    first = time.monotonic()

    async def one(index: int, person: MatrixUser) -> None:
        async with gate:
            await residents.vote_unstable(person, room, poll, [answers[index % len(answers)]])

    await asyncio.gather(*(one(i, p) for i, p in enumerate(people)))
    return first


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError("the tally never completed")


async def raw_nio(server: SynapseServer, reader: MatrixUser, residents: Residents,
                  people: list[MatrixUser], room: str, poll: str, answers: list[str]) -> float:
    client = AsyncClient(server.base_url, reader.user_id,
                         config=AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0))
    client.restore_login(reader.user_id, reader.device_id, reader.access_token)
    seen: set[str] = set()
    first_sync = await client.sync(timeout=0, full_state=True)
    since = first_sync.next_batch
    stop = asyncio.Event()

    async def loop() -> None:
        nonlocal since
        while not stop.is_set():
            response = await client.sync(timeout=1000, since=since,
                                         sync_filter={"room": {"timeline": {"limit": 200}}})
            since = response.next_batch
            joined = response.rooms.join.get(room)
            for event in joined.timeline.events if joined else []:
                if event.source.get("type") == RESPONSE:
                    seen.add(event.source["sender"])

    task = asyncio.create_task(loop())
    started = await vote_all(residents, people, room, poll, answers)

    async def done() -> bool:
        return len(seen) >= len(people)

    await until(done)
    latency = time.monotonic() - started
    stop.set()
    await task
    await client.close()
    return latency


async def with_animabot(server: SynapseServer, bot: MatrixUser, owner: MatrixUser,
                        residents: Residents, people: list[MatrixUser], room: str,
                        tmp: Path) -> float:
    settings = load_settings(None, database=tmp / "bench.db")
    settings.privacy.key = SecretStr("bench-key-0123456789abcdef0123456789")
    settings.delivery.quiet_hours = ""
    settings.delivery.closed_days = []
    settings.matrix.enabled = True
    settings.matrix.encryption = False  # plain rooms: bench_matrix_e2e.py measures encryption
    settings.matrix.homeserver = server.base_url
    settings.matrix.user_id = bot.user_id
    settings.matrix.device_id = bot.device_id
    settings.matrix.access_token = SecretStr(bot.access_token)
    settings.matrix.rate, settings.matrix.burst, settings.matrix.sync_timeout = 1000, 1000, 1
    settings.facilitators.matrix = [owner.user_id]  # the bot accepts the owner's invitation
    settings.neighbourhoods = [NeighbourhoodSettings(id="ville", name="Ville",
                                                     matrix_rooms=[room])]
    scenario = Scenario.model_validate({"id": "bench", "title": "Bench", "steps": [{
        "id": "sondage", "kind": "poll", "at": "+0", "closes": "+1d", "mode": "native",
        "question": "Un jardin ?", "options": ["Oui", "Non", "Sans avis"]}]})
    async with open_core(settings, SystemClock()) as core:
        adapter = MatrixAdapter(settings, core.pseudonymize, PlatformState(core.database, "m"))
        worker = core.worker({"matrix": adapter})
        await adapter.start(core.conversation.handle)
        await core.campaigns.start(scenario, ["ville"], datetime.now(UTC))
        await worker.drain()
        poll = await residents.wait_for_event(people[0], room,
                                              lambda e: e["type"] == POLL_START
                                              and e["sender"] == bot.user_id)
        answers = [a["id"] for a in poll["content"][POLL_START]["answers"]]
        await asyncio.sleep(1.5)  # the bot's sync is past the poll
        started = await vote_all(residents, people, room, poll["event_id"], answers)

        async def done() -> bool:
            row = await core.database.fetch_one("SELECT COUNT(*) AS n FROM answer")
            return row is not None and row["n"] >= len(people)

        await until(done)
        latency = time.monotonic() - started
        await adapter.stop()
        return latency


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
        (Path(tmp) / "synapse").mkdir()
        with SynapseServer(Path(tmp) / "synapse") as server:
            await _measure(server, count, Path(tmp))


async def _measure(server: SynapseServer, count: int, tmp: Path) -> None:
    if True:
        bot, reader, owner = (server.register(name) for name in ("bot", "reader", "owner"))
        server.override_ratelimit(bot.user_id, 0, 0)
        people = [server.register(f"voter{i}") for i in range(count)]
        async with aiohttp.ClientSession() as session:
            residents = Residents(session, server.base_url)
            room = await residents.create_room(owner, "Bench", invite=[bot.user_id,
                                                                     reader.user_id])
            await residents.join(reader, room)
            for person in people:
                await residents.invite(owner, room, person.user_id)
                await residents.join(person, room)
            raw_poll = await residents.send_event(owner, room, POLL_START, {
                POLL_START: {"question": {"org.matrix.msc1767.text": "Q"},
                             "kind": "org.matrix.msc3381.poll.disclosed", "max_selections": 1,
                             "answers": [{"id": "a", "org.matrix.msc1767.text": "A"}]}})
            raw = await raw_nio(server, reader, residents, people, room, raw_poll, ["a"])
            ours = await with_animabot(server, bot, owner, residents, people, room, tmp)
    print(f"poll-to-tally latency, {count} responses on a real Synapse (10 in flight)")
    print(f"baseline raw nio sync loop:  {raw:6.2f} s")
    print(f"animabot (sync → inbox → SQLite answers): {ours:6.2f} s = {ours / raw:.2f} × baseline")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100)
    asyncio.run(main(parser.parse_args().responses))
