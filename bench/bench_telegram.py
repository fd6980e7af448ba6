"""Benchmark: one step to 1,000 Telegram groups through the Bot API emulator, flood control on.

Prints the 429s received (goal 0), the achieved rate against the configured ceiling (goal
≥ 0.95) and the bot's CPU time per delivery beside raw python-telegram-bot loops measured in
the same run: ``send_message`` alone, and ``send_message`` + ``get_chat_member_count`` (what
a delivery needs to record its reach). The emulator runs in another process so that CPU
figures are the bot's alone.

    python bench/bench_telegram.py [--groups 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")

from pydantic import SecretStr
from telegram import Bot
from telegram.error import RetryAfter
from telegram.request import HTTPXRequest

from adapters.telegram.adapter import TelegramAdapter
from animabot.clock import SystemClock
from animabot.config import NeighbourhoodSettings, load_settings
from animabot.core import open_core
from animabot.scenario.model import Scenario

HERE = Path(__file__).resolve().parent
FIRST_GROUP = -1_000_000
CEILING = 30.0  # messages per second, Telegram's overall limit for a bot


def start_emulator(groups: int) -> tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen(
        [sys.executable, str(HERE / "telegram_emulator_process.py"), "--groups", str(groups),
         "--flood-control"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    first = json.loads(process.stdout.readline())
    return process, first["base_url"], first["token"]


async def raw_loop(
    base_url: str, token: str, chats: list[int], with_reach: bool
) -> tuple[float, int]:
    """CPU seconds per send of a paced raw PTB loop, and the 429s it met."""
    bot = Bot(token, base_url=base_url, request=HTTPXRequest(connection_pool_size=8))
    refused = 0
    async with bot:
        cpu = time.process_time()
        start = time.monotonic()
        for index, chat_id in enumerate(chats):
            await asyncio.sleep(max(0.0, start + index * 1.03 / CEILING - time.monotonic()))
            try:
                await bot.send_message(chat_id, "Annonce de la mairie : réunion jeudi à 18 h.")
                if with_reach:
                    await bot.get_chat_member_count(chat_id)
            except RetryAfter:
                refused += 1
        return (time.process_time() - cpu) / len(chats), refused


async def animabot_run(base_url: str, token: str, chats: list[int]) -> tuple[float, float, int]:
    """(CPU seconds per delivery, achieved messages/s, 429s) for our worker."""
    with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
        settings = load_settings(None, database=Path(tmp) / "bench.db")
        settings.privacy.key = SecretStr("bench-key-0123456789abcdef0123456789")
        settings.delivery.quiet_hours = ""
        settings.delivery.closed_days = []
        settings.telegram.enabled = True
        settings.telegram.token = SecretStr(token)
        settings.telegram.base_url = base_url
        settings.telegram.poll_timeout = 25
        settings.neighbourhoods = [NeighbourhoodSettings(
            id="ville", name="Ville", telegram_chats=[str(c) for c in chats])]
        scenario = Scenario.model_validate({"id": "bench", "title": "Bench", "steps": [
            {"id": "annonce", "kind": "announcement", "at": "+0",
             "text": "Annonce de la mairie : réunion jeudi à 18 h."}]})
        clock = SystemClock()
        async with open_core(settings, clock) as core:
            adapter = TelegramAdapter(settings, core.pseudonymize, None)

            async def ignore(event: object) -> None:
                return None

            await adapter.start(ignore)
            worker = core.worker({"telegram": adapter})
            await core.campaigns.start(scenario, ["ville"], datetime.now(UTC))
            cpu = time.process_time()
            began = time.monotonic()
            while True:  # a 429 puts a row back with a due time: keep draining until done
                await worker.drain()
                if await worker.deliveries.next_due() is None:
                    break
                await asyncio.sleep(0.2)
            wall = time.monotonic() - began
            used = time.process_time() - cpu
            await adapter.stop()
            return used / len(chats), len(chats) / wall, worker.stats.retried


async def main(groups: int) -> None:
    process, base_url, token = start_emulator(groups)
    chats = [FIRST_GROUP - i for i in range(groups)]
    try:
        raw_send, raw_429 = await raw_loop(base_url, token, chats, with_reach=False)
        await asyncio.sleep(1.1)
        raw_both, _ = await raw_loop(base_url, token, chats, with_reach=True)
        await asyncio.sleep(1.1)
        ours, rate, retried = await animabot_run(base_url, token, chats)
    finally:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()
        tail = process.stdout.read()
        process.wait(timeout=10)
    flood = json.loads(tail.strip().splitlines()[-1])["flood_429s"] if tail.strip() else "?"
    print(f"one step to {groups} groups, flood control on (30/s overall, 1/s per chat, "
          f"20/min per group)")
    print(f"429s received by animabot:       {retried}   (emulator total, all runs: {flood})")
    print(f"achieved rate / ceiling:         {rate:.1f}/s / {CEILING:.0f}/s = {rate / CEILING:.3f}")
    print(f"baseline A raw PTB send_message: {raw_send * 1000:6.2f} ms CPU/send "
          f"(429s: {raw_429})")
    print(f"baseline B send + member count:  {raw_both * 1000:6.2f} ms CPU/send")
    print(f"animabot worker (with reach):    {ours * 1000:6.2f} ms CPU/delivery = "
          f"{ours / raw_send:.2f} × A, {ours / raw_both:.2f} × B")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000)
    asyncio.run(main(parser.parse_args().groups))
