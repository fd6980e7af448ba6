"""The Bot API emulator in its own process, so that the benchmark's CPU figures are the bot's
alone. Prints one JSON line (base_url, token), serves until its standard input closes.

    python bench/telegram_emulator_process.py --groups 1000 [--flood-control] [--latency-ms 150]

Without ``--residents``, a line ``aide`` on standard input makes a resident (user 7, private
chat started) send ``/aide``; it prints ``{"answered_after": seconds}`` once the bot's answer
has reached the emulator (bench_telegram.py).

With ``--residents N`` (bench_presses.py) a group of N residents is added, the bot in it, and
standard input carries one JSON command a line: ``{"press": {"chat_id", "message_id",
"data": [...]}}`` queues a press by every resident at once, ``{"answers": true}`` prints the
seconds from the presses to each answer the emulator has received so far.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.telegram_emulator import BotApiEmulator

FIRST_GROUP = -1_000_000
PRESS_GROUP = -2_000_000
RESIDENT = 7


async def resident_asks(emulator: BotApiEmulator) -> float:
    """``/aide`` in private; seconds until the bot's answer reaches the server."""
    before = len(emulator.messages_to(RESIDENT))
    began = time.monotonic()
    emulator.user_sends(RESIDENT, RESIDENT, "/aide")
    await emulator.wait_for(lambda: len(emulator.messages_to(RESIDENT)) > before, timeout=600)
    return time.monotonic() - began


async def questions(emulator: BotApiEmulator) -> None:
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):  # until EOF
        if line.strip() == "aide":
            answered = await resident_asks(emulator)
            print(json.dumps({"answered_after": answered}), flush=True)


class PressClock:
    """When the presses were queued and when each answer reached the emulator."""

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator
        self.pressed: dict[str, float] = {}
        self.answered: dict[str, float] = {}

    async def watch(self) -> None:
        state = self.emulator.state
        while not state.closing:
            changed = state.changed()
            now = time.monotonic()
            for query in state.callback_answers.keys() - self.answered.keys():
                self.answered[query] = now
            await changed.wait()

    def press(self, chat_id: int, message_id: int, data: list[str], residents: int) -> int:
        now = time.monotonic()
        for user in range(1, residents + 1):
            query = self.emulator.user_presses(user, chat_id, message_id,
                                               data[user % len(data)], strict=False)
            self.pressed[query] = now
        return residents

    def waits(self) -> list[float]:
        return [self.answered[q] - at for q, at in self.pressed.items() if q in self.answered]


async def commands(emulator: BotApiEmulator, residents: int) -> None:
    clock = PressClock(emulator)
    watcher = asyncio.create_task(clock.watch())
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        command = json.loads(line)
        if "press" in command:
            press = command["press"]
            count = clock.press(press["chat_id"], press["message_id"], press["data"], residents)
            print(json.dumps({"pressed": count}), flush=True)
        elif "answers" in command:
            print(json.dumps({"waits": clock.waits()}), flush=True)
    watcher.cancel()


async def serve(groups: int, flood_control: bool, latency_ms: float = 0.0,
                residents: int = 0) -> None:
    async with BotApiEmulator(flood_control=flood_control,
                              latency=latency_ms / 1000) as emulator:
        emulator.add_user(1, "Admin")
        for index in range(groups):
            chat_id = FIRST_GROUP - index
            emulator.add_group(chat_id, f"Groupe {index}", [1], admins=[1])
            emulator.add_bot_to_group(chat_id, 1)
        emulator.add_user(RESIDENT, "Habitante")
        emulator.user_sends(RESIDENT, RESIDENT, "/start")  # the private chat is open
        emulator.state.updates.clear()  # the bench reads only the updates it makes later
        if residents:  # its bot-added update stays: the bot registers the group
            emulator.add_group(PRESS_GROUP, "Quartier", range(1, residents + 1), admins=[1])
            emulator.add_bot_to_group(PRESS_GROUP, 1)
        print(json.dumps({"base_url": emulator.base_url, "token": emulator.token}), flush=True)
        if residents:
            await commands(emulator, residents)
        else:
            await questions(emulator)
        print(json.dumps({"flood_429s": emulator.flood_429s}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--flood-control", action="store_true")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="round trip added to every call (the field: 50-250 ms)")
    parser.add_argument("--residents", type=int, default=0,
                        help="a group of N residents who press on command (bench_presses)")
    arguments = parser.parse_args()
    asyncio.run(serve(arguments.groups, arguments.flood_control, arguments.latency_ms,
                      arguments.residents))
