"""Benchmark: round-trip latency of a resident's command, encrypted beside plaintext.

One bot with encryption on (its key store, cross-signed device) and one resident on
matrix-nio with end-to-end encryption, on a real Synapse. The resident has two direct rooms
with the bot: one encrypted (as Element creates them), one plaintext (the baseline). Each
round trip: the resident sends ``!aide``; the bot syncs it (decrypting in the encrypted room),
journals it, queues the answer and sends it (encrypting); the round trip ends when the
resident's own sync has the answer, decrypted. The rooms alternate so that both see the same
server and machine state.

    python bench/bench_matrix_e2e.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr

from adapters.matrix.adapter import MatrixAdapter
from animabot.chat.events import InboundEvent
from animabot.clock import SystemClock
from animabot.config import load_settings
from animabot.core import open_core
from animabot.store.state import PlatformState
from tests.helpers import until
from tests.support.matrix import SynapseServer
from tests.support.matrix.encrypted_resident import EncryptedResident

COMMAND = "!aide"


async def round_trip(resident: EncryptedResident, room: str, bot_user: str) -> float:
    before = len(resident.seen(room, bot_user))
    started = time.monotonic()
    await resident.say(room, COMMAND)
    await resident.wait_for(room, bot_user,
                            lambda _: len(resident.seen(room, bot_user)) > before, timeout=30)
    return time.monotonic() - started


async def measure(server: SynapseServer, rounds: int, tmp: Path) -> None:
    bot, person = server.register("bot"), server.register("alice")
    server.override_ratelimit(bot.user_id, 0, 0)
    server.override_ratelimit(person.user_id, 0, 0)
    settings = load_settings(None, database=tmp / "bench.db")
    settings.privacy.key = SecretStr("bench-key-0123456789abcdef0123456789")
    settings.delivery.quiet_hours, settings.delivery.closed_days = "", []
    matrix = settings.matrix
    matrix.enabled, matrix.homeserver, matrix.user_id = True, server.base_url, bot.user_id
    matrix.device_id, matrix.access_token = bot.device_id, SecretStr(bot.access_token)
    matrix.rate, matrix.burst = 1000, 1000
    matrix.encryption, matrix.store_path = True, tmp / "matrix-store"
    matrix.pickle_key = SecretStr("bench pickle key, long enough")
    matrix.cross_signing_seeds_file = tmp / "seeds.json"
    resident = EncryptedResident(server.base_url, person, tmp / "alice")
    async with open_core(settings, SystemClock()) as core:
        adapter = MatrixAdapter(settings, core.pseudonymize, PlatformState(core.database, "m"))
        worker = core.worker({"matrix": adapter})

        async def handle(event: InboundEvent) -> str | None:
            notice = await core.conversation.handle(event)
            await worker.drain()  # what the running bot's wake-up does
            return notice

        await adapter.start(handle)
        await resident.start()
        try:
            encrypted = await resident.create_dm(bot.user_id)
            created = await resident.client.room_create(is_direct=True, invite=[bot.user_id])
            plain = created.room_id

            async def joined() -> bool:
                room = resident.client.rooms.get(plain)
                return room is not None and bot.user_id in room.users


            await until(joined, 20, "the bot to join the plaintext room")
            assert resident.client.rooms[encrypted].encrypted
            assert not resident.client.rooms[plain].encrypted
            for room in (encrypted, plain):  # warm-up: onboarding, olm sessions, room keys
                await round_trip(resident, room, bot.user_id)
            times: dict[str, list[float]] = {"plaintext": [], "encrypted": []}
            for _ in range(rounds):
                times["plaintext"].append(await round_trip(resident, plain, bot.user_id))
                times["encrypted"].append(await round_trip(resident, encrypted, bot.user_id))
        finally:
            await resident.stop()
            await adapter.stop()
    print(f"round trip of {COMMAND!r} (resident → bot → resident), {rounds} rounds each,"
          " real Synapse on loopback")
    base = statistics.median(times["plaintext"])
    for name, values in times.items():
        values.sort()
        median, p90 = statistics.median(values), values[int(0.9 * (len(values) - 1))]
        label = "baseline: plaintext room" if name == "plaintext" else "encrypted room"
        print(f"{label:26} median {median * 1000:6.1f} ms   p90 {p90 * 1000:6.1f} ms"
              f"   = {median / base:.2f} × baseline")


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
        (Path(tmp) / "synapse").mkdir()
        with SynapseServer(Path(tmp) / "synapse") as server:
            await measure(server, rounds, Path(tmp))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    asyncio.run(main(parser.parse_args().rounds))
