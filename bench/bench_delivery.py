"""Benchmark: plan 5 steps × 1,000 chats, then drain them through a no-op adapter.

Baseline, measured in the same process on the same kind of file: a raw aiosqlite loop that
inserts the same number of rows one by one in one transaction. The ratios say what our
planning and our per-delivery worker overhead (claim, compose, send, record) cost relative to
the cheapest thing SQLite can do with a row.

    python bench/bench_delivery.py [--chats 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
from pydantic import SecretStr

from animabot.chat.outgoing import OutgoingMessage, SendResult, Target
from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, load_settings
from animabot.core import open_core
from animabot.scenario.model import Scenario

STEPS = 5


class NoOpAdapter:
    platform = "simulated"
    idempotent_sends = True
    limits = None

    async def start(self, handler: object) -> None: ...
    async def stop(self) -> None: ...

    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        return SendResult("ref")

    async def member_count(self, address: str) -> int | None:
        return 10


def bench_scenario() -> Scenario:
    steps: list[dict[str, object]] = [
        {"id": f"annonce{i}", "kind": "announcement", "at": f"+{i}m" if i else "+0",
         "text": {"fr": f"Annonce {i}"}}
        for i in range(STEPS - 1)
    ]
    steps.append({"id": "sondage", "kind": "poll", "at": "+5m", "closes": "+30d",
                  "question": "Un jardin ?", "options": ["Oui", "Non", "Sans avis"]})
    return Scenario.model_validate({"id": "bench", "title": "Bench", "steps": steps})


async def raw_insert_loop(path: Path, rows: int) -> float:
    async with aiosqlite.connect(path, isolation_level=None) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, due TEXT, s TEXT)")
        started = time.perf_counter()
        await db.execute("BEGIN")
        for i in range(rows):
            await db.execute("INSERT INTO t (k, due, s) VALUES (?, ?, 'pending')",
                             (f"key{i}", "2026-12-01T09:00:00.000000Z"))
        await db.execute("COMMIT")
        return time.perf_counter() - started


async def one_run(tmp: Path, chats: int) -> tuple[float, float, int, float]:
    settings = load_settings(None, database=tmp / "bench.db")
    settings.privacy.key = SecretStr("bench-key-0123456789abcdef0123456789")
    settings.delivery.quiet_hours = ""
    settings.delivery.closed_days = []
    settings.neighbourhoods = [NeighbourhoodSettings(
        id="ville", name="Ville", simulated_chats=[f"g{i}" for i in range(chats)])]
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    clock = FakeClock(start)
    async with open_core(settings, clock) as core:
        began = time.perf_counter()
        started = await core.campaigns.start(bench_scenario(), ["ville"], start)
        planning = time.perf_counter() - began
        clock.advance(timedelta(minutes=10))
        worker = core.worker({"simulated": NoOpAdapter()})
        began = time.perf_counter()
        drained = await worker.drain()
        draining = time.perf_counter() - began
    baseline = await raw_insert_loop(tmp / "raw.db", started.deliveries)
    return planning, draining, drained, baseline


async def main(chats: int, repeat: int) -> None:
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
            runs.append(await one_run(Path(tmp), chats))
    planning = statistics.median(r[0] for r in runs)
    draining = statistics.median(r[1] for r in runs)
    drained = runs[0][2]
    baseline = statistics.median(r[3] for r in runs)
    planned = drained + chats  # the poll's close rows are planned but not due
    per_row_baseline = baseline / planned
    per_delivery = draining / drained
    print(f"{STEPS} steps × {chats} chats: {planned} rows planned, {drained} drained "
          f"(median of {repeat} runs)")
    print(f"baseline  raw aiosqlite insert loop: {baseline * 1000:8.1f} ms "
          f"({per_row_baseline * 1e6:6.1f} µs/row)")
    print(f"planning  campaign start (1 tx):     {planning * 1000:8.1f} ms "
          f"= {planning / baseline:5.2f} × baseline")
    print(f"worker    drain through no-op:       {draining * 1000:8.1f} ms "
          f"({per_delivery * 1e6:6.1f} µs/delivery = {per_delivery / per_row_baseline:5.1f} × "
          f"a raw insert; {drained / draining:,.0f} deliveries/s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.chats, arguments.repeat))
