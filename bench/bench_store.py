"""Benchmark: costs that must stay flat as the data grows (issue 14).

1. ``stats overview`` (every campaign at a glance) as answers grow, 20,000 per campaign;
   baseline in the same file and run: a raw SQLite ``GROUP BY`` counting the answers per
   campaign and poll (the least any overview must read). Goal: ≤ 2 × the baseline.
2. Opening the core (what every CLI command does) as the configured chats grow, the
   configuration unchanged since the last command; baseline: a raw ``sqlite3`` open and one
   read of the same file. Goal: independent of the number of chats.

Each size prints the median and min–max of the repeats, the cost per unit and the ratio.

    python bench/bench_store.py            # 100k, 300k answers; 1k, 10k, 50k chats (~1 min)
    python bench/bench_store.py --big      # answers up to 1M as well
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from pydantic import SecretStr

from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, Settings, load_settings
from animabot.core import open_core
from animabot.scenario.model import Scenario
from animabot.stats.overview import overview
from animabot.store.timestamps import to_db

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PER_CAMPAIGN = 20_000
SCENARIO = Scenario.model_validate({"id": "bench", "title": "Bench", "steps": [
    {"id": "sondage", "kind": "poll", "at": "+0", "closes": "+6d", "reminders": ["+3d"],
     "question": "Un jardin ?", "options": ["Oui", "Non", "Peut-être", "Sans avis"]}]})


def _settings(path: Path, hoods: int, chats_per_hood: int) -> Settings:
    settings = load_settings(None, database=path)
    settings.privacy.key = SecretStr("bench-key-0123456789abcdef0123456789")
    settings.neighbourhoods = [
        NeighbourhoodSettings(id=f"q{i:03d}", name=f"Quartier {i}",
                              simulated_chats=[f"g{i}-{n}" for n in range(chats_per_hood)])
        for i in range(hoods)]
    return settings


def _fill(path: Path, campaigns: list[str]) -> None:
    """Answers written straight into the file: reading them back is the point."""
    rng = random.Random(7)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    for campaign in campaigns:
        rows = []
        for index in range(PER_CAMPAIGN):
            stamp = to_db(START + timedelta(minutes=rng.randrange(6 * 24 * 60)))
            rows.append((campaign, "sondage", f"p{index:07d}", "simulated", "q000",
                         json.dumps([rng.randrange(4)]), stamp, stamp, 0, stamp))
        db.executemany(
            "INSERT INTO answer (campaign_id, step_id, pseudonym, platform, neighbourhood_id,"
            " choices, first_answered_at, answered_at, after_reminder, voted_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.execute("ANALYZE")
    db.close()


def _raw_group_by(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("SELECT campaign_id, step_id, COUNT(*) FROM answer"
               " GROUP BY campaign_id, step_id").fetchall()
    db.close()


def _raw_open(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("SELECT COUNT(*) FROM neighbourhood").fetchall()
    db.close()


async def _timed(work: Callable[[], Awaitable[object]] | Callable[[], object],
                 repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        if asyncio.iscoroutine(result):
            await result
        times.append(time.perf_counter() - began)
    return times


def _line(label: str, units: int, unit: str, ours: list[float], raw: list[float]) -> None:
    mine, base = statistics.median(ours), statistics.median(raw)
    print(f"{label:>9}: {mine * 1000:8.1f} ms ({min(ours) * 1000:.1f}–{max(ours) * 1000:.1f})"
          f" = {mine / units * 1e6:7.2f} µs/{unit}; raw {base * 1000:7.1f} ms"
          f" ({min(raw) * 1000:.1f}–{max(raw) * 1000:.1f}) → {mine / base:5.2f} × raw")


async def bench_overview(sizes: list[int], repeat: int) -> None:
    print(f"stats overview, {PER_CAMPAIGN:,} answers per campaign (median of {repeat})")
    for answers in sizes:
        with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
            path = Path(tmp) / "store.db"
            settings = _settings(path, 1, 1)
            async with open_core(settings, FakeClock(START), sends=False) as core:
                campaigns = [(await core.campaigns.start(SCENARIO, ["q000"], START)).id
                             for _ in range(answers // PER_CAMPAIGN)]
            _fill(path, campaigns)
            async with open_core(settings, FakeClock(START), sends=False,
                                 writes=False) as core:
                summaries = await overview(core.stores, 5)  # warm the cache for both
                assert sum(s.respondents or 0 for s in summaries) == answers
                raw = await _timed(partial(_raw_group_by, path), repeat)
                ours = await _timed(partial(overview, core.stores, 5), repeat)
            _line(f"{answers:,}", answers, "answer", ours, raw)


async def _open(settings: Settings) -> None:
    async with open_core(settings, FakeClock(START), sends=False):
        pass


async def bench_start(sizes: list[int], repeat: int) -> None:
    print(f"opening the core, configuration unchanged (median of {repeat})")
    for chats in sizes:
        with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
            path = Path(tmp) / "store.db"
            settings = _settings(path, 100, chats // 100)
            began = time.perf_counter()
            async with open_core(settings, FakeClock(START), sends=False):
                pass
            first = time.perf_counter() - began

            raw = await _timed(partial(_raw_open, path), repeat)
            ours = await _timed(partial(_open, settings), repeat)
            _line(f"{chats:,}", chats, "chat", ours, raw)
            print(f"{'':>9}  (the first open, which registers them: {first:.2f} s)")


async def main(big: bool, repeat: int) -> None:
    await bench_overview([100_000, 300_000] + ([1_000_000] if big else []), repeat)
    await bench_start([1_000, 10_000, 50_000], repeat)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="answers up to 1M as well")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.big, arguments.repeat))
