"""Benchmark: 1,000 residents press a poll button at once, at 0 ms and at 150 ms per Bot API
call, with the updates fetched by polling and pushed to a webhook. Prints, over repeated runs
(median and min-max), the time from the presses to each answer reaching Telegram (p50, p95),
the answers past Telegram's 15 s and the votes counted, beside a baseline measured in the same
run for each mode, without the core (the floor the Bot API allows): a raw python-telegram-bot
polling loop that answers each callback query at once, and a raw aiohttp webhook that answers
each in its response. The emulator runs in another process.

    python bench/bench_presses.py [--residents 1000] [--runs 3] [--latency-ms 0 150]
                                  [--modes polling webhook]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "true")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web
from pydantic import SecretStr
from telegram import Bot
from telegram.request import HTTPXRequest

from adapters.telegram.adapter import TelegramAdapter
from animabot.chat.outgoing import OutgoingMessage, SendResult, Target
from animabot.clock import SystemClock
from animabot.config import NeighbourhoodSettings, load_settings
from animabot.core import open_core
from animabot.scenario.model import Scenario
from animabot.store.state import PlatformState

HERE = Path(__file__).resolve().parent
PRESS_GROUP = -2_000_000
TOO_LATE = 15.0  # seconds: Telegram's client shows an error past this
POLL = {"id": "bench", "title": "Bench", "steps": [{
    "id": "envie", "kind": "poll", "at": "+0", "question": "Un jardin partagé ?",
    "options": ["Oui", "Non", "Sans avis"], "closes": "+2d"}]}


class Emulator:
    def __init__(self, latency_ms: float, residents: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "telegram_emulator_process.py"), "--groups", "0",
             "--latency-ms", str(latency_ms), "--residents", str(residents)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        first = self._read()
        self.base_url, self.token = first["base_url"], first["token"]
        self.residents = residents

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        return dict(json.loads(self.process.stdout.readline()))

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self._read()

    def press(self, message_id: int, data: list[str]) -> None:
        self._ask({"press": {"chat_id": PRESS_GROUP, "message_id": message_id, "data": data}})

    async def waits(self, timeout: float = 300.0) -> list[float]:
        """The answers' delays once all have come (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while True:
            waits = list(self._ask({"answers": True})["waits"])
            if len(waits) >= self.residents or time.monotonic() > deadline:
                return waits
            await asyncio.sleep(0.25)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def baseline_webhook(emulator: Emulator) -> tuple[list[float], int]:
    """A raw aiohttp webhook answering each callback query in its response, at once."""
    seen = 0

    async def receive(request: web.Request) -> web.Response:
        nonlocal seen
        update = await request.json()
        query = update.get("callback_query")
        if query is None:
            return web.Response()
        seen += 1
        return web.json_response({"method": "answerCallbackQuery",
                                  "callback_query_id": query["id"], "text": "Merci"})

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    bot = Bot(emulator.token, base_url=emulator.base_url)
    try:
        async with bot:
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", max_connections=100)
            sent = await bot.send_message(PRESS_GROUP, "Un jardin partagé ?")
            emulator.press(sent.message_id, ["x"])
            waits = await emulator.waits()
            await bot.delete_webhook()
    finally:
        await runner.cleanup()
    return waits, seen


async def baseline(emulator: Emulator) -> tuple[list[float], int]:
    """A raw PTB loop answering each callback query as soon as it arrives."""
    request = HTTPXRequest(connection_pool_size=100, pool_timeout=30.0)
    bot = Bot(emulator.token, base_url=emulator.base_url, request=request)
    answering: set[asyncio.Task[Any]] = set()
    async with bot:
        updates = await bot.get_updates(timeout=timedelta(seconds=0))
        offset = updates[-1].update_id + 1 if updates else 0
        sent = await bot.send_message(PRESS_GROUP, "Un jardin partagé ?")
        emulator.press(sent.message_id, ["x"])
        seen = 0
        while seen < emulator.residents:
            updates = await bot.get_updates(offset=offset, timeout=timedelta(seconds=5))
            for update in updates:
                offset = update.update_id + 1
                if update.callback_query is not None:
                    seen += 1
                    answering.add(asyncio.create_task(
                        bot.answer_callback_query(update.callback_query.id, text="Merci")))
        await asyncio.gather(*answering)
        await bot.get_updates(offset=offset, timeout=timedelta(seconds=0))
        return await emulator.waits(), seen


class RecordingAdapter(TelegramAdapter):
    """The real adapter, noting the poll it sends (the bench presses its buttons)."""

    poll: tuple[int, list[str]] | None = None

    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        result = await super().send(target, message, key=key)
        if message.buttons and message.question:
            data = [b.action for row in message.buttons for b in row]
            self.poll = (int(result.ref), data)
        return result


async def until(check: Callable[[], Any], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the bench's set-up did not finish")
        await asyncio.sleep(0.05)


async def animabot_run(emulator: Emulator, mode: str = "polling") -> tuple[list[float], int]:
    """The bot's Telegram adapter and core on a SQLite file; (answer delays, votes counted)."""
    with tempfile.TemporaryDirectory(prefix="animabot-presses-") as tmp:
        settings = load_settings(None, database=Path(tmp) / "bench.db")
        settings.privacy.key = SecretStr("bench-key-0123456789abcdef0123456789")
        settings.delivery.quiet_hours = ""
        settings.delivery.closed_days = []
        settings.telegram.enabled = True
        settings.telegram.token = SecretStr(emulator.token)
        settings.telegram.base_url = emulator.base_url
        settings.telegram.poll_timeout = 25
        if mode == "webhook":
            port = free_port()
            settings.telegram.mode = "webhook"
            settings.telegram.webhook_listen = f"127.0.0.1:{port}"
            settings.telegram.webhook_url = f"http://127.0.0.1:{port}/telegram"
            settings.telegram.secret_token = SecretStr("bench-secret-token")
        settings.neighbourhoods = [NeighbourhoodSettings(
            id="ville", name="Ville", telegram_chats=[str(PRESS_GROUP)])]
        async with open_core(settings, SystemClock()) as core:
            state = PlatformState(core.database, "telegram")
            adapter = RecordingAdapter(settings, core.pseudonymize, state)
            worker = core.worker({"telegram": adapter})
            await adapter.start(core.conversation.handle)
            try:
                async def registered() -> bool:
                    return await core.services.chats.find("telegram", str(PRESS_GROUP)) \
                        is not None

                await until(registered, 60)
                await core.campaigns.start(Scenario.model_validate(POLL), ["ville"],
                                           datetime.now(UTC))
                await worker.drain()
                assert adapter.poll is not None, "the poll was not sent"
                emulator.press(*adapter.poll)
                waits = await emulator.waits()

                async def counted() -> bool:
                    row = await core.database.fetch_one("SELECT COUNT(*) FROM answer")
                    return row is not None and row[0] >= emulator.residents

                with_votes = time.monotonic() + 60
                while not await counted() and time.monotonic() < with_votes:
                    await asyncio.sleep(0.1)
                row = await core.database.fetch_one(
                    "SELECT COUNT(*), COUNT(DISTINCT pseudonym) FROM answer")
                assert row is not None
                votes = row[0] if row[0] == row[1] else -row[0]  # negative: a double count
            finally:
                await adapter.stop()
        return waits, votes


def summary(values: list[float]) -> str:
    return (f"{statistics.median(values):6.2f} s ({min(values):.2f}-{max(values):.2f})")


def quantiles(waits: list[float]) -> tuple[float, float, int]:
    cuts = statistics.quantiles(waits, n=20) if len(waits) > 1 else waits * 19
    return statistics.median(waits), cuts[-1], sum(w > TOO_LATE for w in waits)


async def main(residents: int, runs: int, latencies: list[float], modes: list[str]) -> None:
    load = os.getloadavg()
    print(f"{residents} simultaneous presses, {runs} runs each; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs, "
          f"{datetime.now(UTC):%Y-%m-%d}")
    contenders: dict[str, Callable[[Emulator], Any]] = {
        "polling baseline": baseline, "polling animabot": animabot_run,
        "webhook baseline": baseline_webhook,
        "webhook animabot": partial(animabot_run, mode="webhook")}
    for latency in latencies:
        results: dict[str, list[tuple[float, float, int, int]]] = {
            name: [] for name in contenders if name.split()[0] in modes}
        for _ in range(runs):
            for name in results:
                run = contenders[name]
                emulator = Emulator(latency, residents)
                try:
                    waits, counted = await run(emulator)
                finally:
                    emulator.close()
                p50, p95, late = quantiles(waits) if waits else (float("nan"),) * 2 + (0,)
                late += residents - len(waits)  # never answered
                results[name].append((p50, p95, late, counted))
        print(f"\n{latency:.0f} ms per Bot API call")
        for name, rows in results.items():
            counted = sorted({row[3] for row in rows})
            label = "answered" if name.endswith("baseline") else "votes counted"
            print(f"  {name:16} p50 {summary([r[0] for r in rows])}   "
                  f"p95 {summary([r[1] for r in rows])}   past 15 s: "
                  f"{max(r[2] for r in rows)}   {label}: {counted}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 150.0])
    parser.add_argument("--modes", nargs="+", choices=["polling", "webhook"],
                        default=["polling", "webhook"])
    arguments = parser.parse_args()
    asyncio.run(main(arguments.residents, arguments.runs, arguments.latency_ms,
                     arguments.modes))
