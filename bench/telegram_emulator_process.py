"""The Bot API emulator in its own process, so that the benchmark's CPU figures are the bot's
alone. Prints one JSON line (base_url, token), serves until its standard input closes.

    python bench/telegram_emulator_process.py --groups 1000 [--flood-control] [--latency-ms 150]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.telegram_emulator import BotApiEmulator

FIRST_GROUP = -1_000_000


async def serve(groups: int, flood_control: bool, latency_ms: float = 0.0) -> None:
    async with BotApiEmulator(flood_control=flood_control,
                              latency=latency_ms / 1000) as emulator:
        emulator.add_user(1, "Admin")
        for index in range(groups):
            chat_id = FIRST_GROUP - index
            emulator.add_group(chat_id, f"Groupe {index}", [1], admins=[1])
            emulator.add_bot_to_group(chat_id, 1)
        emulator.state.updates.clear()  # the bench does not read updates
        print(json.dumps({"base_url": emulator.base_url, "token": emulator.token}), flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
        print(json.dumps({"flood_429s": emulator.flood_429s}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--flood-control", action="store_true")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="round trip added to every call (the field: 50-250 ms)")
    arguments = parser.parse_args()
    asyncio.run(serve(arguments.groups, arguments.flood_control, arguments.latency_ms))
