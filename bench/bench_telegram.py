"""Benchmark: one step to 1,000 Telegram groups through the Bot API emulator, flood control
on, at 0 ms and at 150 ms per Bot API call (the field's round trip from Europe).

For each latency, in the same run and against the same emulator process:
- **animabot** (``[telegram] in_flight`` = 8), repeated: achieved rate ÷ the 30/s ceiling,
  429s, CPU per delivery, and a resident's ``/aide`` sent 3 s into the broadcast: seconds
  until the answer reaches the server;
- **baseline R** (rate): the same worker with ``in_flight = 1``, one request at a time, as
  animabot sent before (on fewer groups: it is slow by design);
- **baseline C** (CPU): a raw python-telegram-bot ``send_message`` loop paced at 30/s with
  the same number of requests in flight, on PTB's own HTTP client (httpx), as the issue asks;
- **baseline C'** (CPU): the same raw loop on the HTTP client animabot gives PTB (aiohttp,
  ``adapters/telegram/transport.py``): what animabot's own work costs beyond the request;
- **animabot, counts known**: the same step when the groups' member counts were recorded an
  hour earlier (an earlier step that day, or a restart): no ``getChatMemberCount`` per group.
Each figure is printed as median and min-max over the runs.

    python bench/bench_telegram.py [--groups 1000] [--repeat 3] [--latencies 0,150]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")

from pydantic import SecretStr
from telegram import Bot
from telegram.error import RetryAfter
from telegram.request import HTTPXRequest

from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.transport import AiohttpRequest
from animabot.clock import SystemClock
from animabot.config import NeighbourhoodSettings, load_settings
from animabot.core import open_core
from animabot.scenario.model import Scenario
from animabot.scheduling import WakeScheduler
from animabot.store.timestamps import to_db

HERE = Path(__file__).resolve().parent
FIRST_GROUP = -1_000_000
CEILING = 30.0  # messages per second, Telegram's overall limit for a bot
IN_FLIGHT = 8
ASK_AFTER = 3.0  # seconds into the broadcast the resident sends /aide
TEXT = "Annonce de la mairie : réunion jeudi à 18 h."


class Emulator:
    def __init__(self, groups: int, latency_ms: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "telegram_emulator_process.py"), "--groups",
             str(groups), "--flood-control", "--latency-ms", str(latency_ms)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        first = json.loads(self._line())
        self.base_url, self.token = first["base_url"], first["token"]

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline()

    async def resident_asks(self) -> float:
        assert self.process.stdin is not None
        self.process.stdin.write("aide\n")
        self.process.stdin.flush()
        return float(json.loads(await asyncio.to_thread(self._line))["answered_after"])

    def close(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        tail = self.process.stdout.read().strip()
        self.process.wait(timeout=10)
        return int(json.loads(tail.splitlines()[-1])["flood_429s"]) if tail else -1


@dataclass
class Run:
    rate: float
    cpu: float  # seconds per delivery
    refused: int
    answered_after: float | None


async def raw_loop(emulator: Emulator, chats: list[int],
                   transport: str = "httpx") -> tuple[float, int]:
    """CPU seconds per send of a paced raw PTB loop with IN_FLIGHT requests at once, on PTB's
    own HTTP client (httpx) or on animabot's (aiohttp)."""
    request = (HTTPXRequest(connection_pool_size=IN_FLIGHT * 2) if transport == "httpx"
               else AiohttpRequest(IN_FLIGHT * 2))
    bot = Bot(emulator.token, base_url=emulator.base_url, request=request)
    refused = 0
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(chat_id: int) -> None:
        nonlocal refused
        try:
            await bot.send_message(chat_id, TEXT)
        except RetryAfter:
            refused += 1
        finally:
            slots.release()

    async with bot:
        cpu, start = time.process_time(), time.monotonic()
        tasks = []
        for index, chat_id in enumerate(chats):
            await slots.acquire()
            await asyncio.sleep(max(0.0, start + index * 1.03 / CEILING - time.monotonic()))
            tasks.append(asyncio.create_task(one(chat_id)))
        await asyncio.gather(*tasks)
        return (time.process_time() - cpu) / len(chats), refused


async def animabot_run(emulator: Emulator, chats: list[int], in_flight: int,
                       ask: bool, known: bool = False) -> Run:
    with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
        settings = load_settings(None, database=Path(tmp) / "bench.db")
        settings.privacy.key = SecretStr("bench-key-0123456789abcdef0123456789")
        settings.delivery.quiet_hours = ""
        settings.delivery.closed_days = []
        settings.telegram.enabled = True
        settings.telegram.token = SecretStr(emulator.token)
        settings.telegram.base_url = emulator.base_url
        settings.telegram.poll_timeout = 25
        settings.telegram.in_flight = in_flight
        settings.neighbourhoods = [NeighbourhoodSettings(
            id="ville", name="Ville", telegram_chats=[str(c) for c in chats])]
        scenario = Scenario.model_validate({"id": "bench", "title": "Bench", "steps": [
            {"id": "annonce", "kind": "announcement", "at": "+0", "text": TEXT}]})
        clock = SystemClock()
        async with open_core(settings, clock) as core:
            adapter = TelegramAdapter(settings, core.pseudonymize, None)
            worker = core.worker({"telegram": adapter})
            scheduler = WakeScheduler(worker, clock)  # as `animabot run` wires them
            core.services.wake = scheduler.poke
            await adapter.start(core.conversation.handle)
            if known:  # an announcement an hour ago recorded each group's member count
                await core.database.execute(
                    "INSERT INTO delivery (dedupe_key, part, chat_id, due_at, status, sent_at,"
                    " reach) SELECT 'earlier:' || id, 'send', id, ?1, 'sent', ?1, 42"
                    " FROM chat WHERE platform = 'telegram'",
                    (to_db(datetime.now(UTC) - timedelta(hours=1)),))
            await core.campaigns.start(scenario, ["ville"], datetime.now(UTC))
            cpu, began = time.process_time(), time.monotonic()
            await scheduler.start()
            asked = None
            if ask:
                await asyncio.sleep(ASK_AFTER)
                asked = asyncio.create_task(emulator.resident_asks())
            # Watch the worker's own counters (free), and ask the database only once they
            # say done: a table scan every 50 ms would be the bench's CPU, charged to animabot.
            stats = worker.stats
            while True:
                if stats.sent + stats.failed + stats.skipped + stats.unknown >= len(chats) \
                        and await core.database.fetch_one(
                            "SELECT 1 FROM delivery WHERE part != 'reply' AND status NOT IN"
                            " ('sent', 'failed', 'skipped', 'unknown')") is None:
                    break
                await asyncio.sleep(0.02)
            wall = time.monotonic() - began
            used = time.process_time() - cpu
            answered = await asked if asked is not None else None
            await scheduler.stop()
            await adapter.stop()
            return Run(len(chats) / wall, used / len(chats), worker.stats.retried, answered)


def spread(values: list[float], fmt: str) -> str:
    if len(values) == 1:
        return format(values[0], fmt)
    return (f"{format(statistics.median(values), fmt)} "
            f"({format(min(values), fmt)}-{format(max(values), fmt)})")


async def at_latency(groups: int, latency_ms: float, repeat: int, baseline_groups: int) -> None:
    emulator = Emulator(groups, latency_ms)
    chats = [FIRST_GROUP - i for i in range(groups)]
    try:
        raw, raw_aiohttp = [], []
        for _ in range(repeat):
            raw.append(await raw_loop(emulator, chats))
            await asyncio.sleep(2.1)
            raw_aiohttp.append(await raw_loop(emulator, chats, "aiohttp"))
        await asyncio.sleep(2.1)  # per-chat windows of the raw loop's last sends
        baseline = await animabot_run(emulator, chats[:baseline_groups], 1, ask=False)
        runs, warm = [], []
        for _ in range(repeat):
            await asyncio.sleep(2.1)
            runs.append(await animabot_run(emulator, chats, IN_FLIGHT, ask=True))
            await asyncio.sleep(2.1)
            warm.append(await animabot_run(emulator, chats, IN_FLIGHT, ask=False, known=True))
    finally:
        flood = emulator.close()
    raw_cpu = [c for c, _ in raw]
    cpu = [r.cpu for r in runs]
    print(f"\n== {latency_ms:.0f} ms per Bot API call: one step to {groups} groups, flood "
          f"control on (30/s, 1/s per chat, 20/min per group), {repeat} runs: median (min-max)")
    print(f"animabot rate / ceiling (in_flight {IN_FLIGHT}): "
          f"{spread([r.rate / CEILING for r in runs], '.3f')}   "
          f"({spread([r.rate for r in runs], '.1f')} msg/s)")
    print(f"baseline R, in_flight 1 ({baseline_groups} groups): "
          f"{baseline.rate / CEILING:.3f}   ({baseline.rate:.1f} msg/s)")
    print(f"429s met by animabot: {sum(r.refused for r in runs + warm)}   "
          f"(raw loops: {sum(n for _, n in raw + raw_aiohttp)}; emulator total, every run: "
          f"{flood})")
    print(f"/aide {ASK_AFTER:.0f} s into the broadcast, answered after: "
          f"{spread([r.answered_after or 0.0 for r in runs], '.3f')} s   "
          f"(one round trip: {latency_ms / 1000:.3f} s)")
    print(f"CPU per delivery, animabot: {spread([c * 1000 for c in cpu], '.2f')} ms; "
          f"baseline C raw PTB send: {spread([c * 1000 for c in raw_cpu], '.2f')} ms; "
          f"ratio of medians {statistics.median(cpu) / statistics.median(raw_cpu):.2f} ×")
    known = [r.cpu for r in warm]
    print(f"member counts known (recorded an hour earlier): rate / ceiling "
          f"{spread([r.rate / CEILING for r in warm], '.3f')}; CPU per delivery "
          f"{spread([c * 1000 for c in known], '.2f')} ms, ratio of medians "
          f"{statistics.median(known) / statistics.median(raw_cpu):.2f} ×")
    light = [c for c, _ in raw_aiohttp]
    print(f"baseline C' raw PTB send on animabot's HTTP client (aiohttp): "
          f"{spread([c * 1000 for c in light], '.2f')} ms; animabot's own work per delivery "
          f"beyond it: {(statistics.median(cpu) - statistics.median(light)) * 1000:.2f} ms "
          f"(counts unknown), {(statistics.median(known) - statistics.median(light)) * 1000:.2f}"
          f" ms (known); ratios {statistics.median(cpu) / statistics.median(light):.2f} × and "
          f"{statistics.median(known) / statistics.median(light):.2f} ×")


async def main(groups: int, repeat: int, latencies: list[float], baseline_groups: int) -> None:
    for latency in latencies:
        await at_latency(groups, latency, repeat, baseline_groups)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latencies", default="0,150", help="ms per call, comma-separated")
    parser.add_argument("--baseline-groups", type=int, default=150)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.groups, arguments.repeat,
                     [float(x) for x in arguments.latencies.split(",")],
                     arguments.baseline_groups))
