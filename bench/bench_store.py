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
    python bench/bench_store.py --backend postgresql --answers 100000,1000000,5000000

``--backend postgresql`` starts a throwaway PostgreSQL cluster as the tests do
(``tests/support/postgres.py``) and measures the overview there, against a raw ``GROUP BY``
on the same server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support.postgres

from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, Settings, load_settings
from animabot.core import open_core
from animabot.scenario.model import Scenario
from animabot.stats.overview import overview
from animabot.store.timestamps import to_db
from tests.support.postgres import Cluster, binaries

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PER_CAMPAIGN = 20_000
SCENARIO = Scenario.model_validate({"id": "bench", "title": "Bench", "steps": [
    {"id": "sondage", "kind": "poll", "at": "+0", "closes": "+6d", "reminders": ["+3d"],
     "question": "Un jardin ?", "options": ["Oui", "Non", "Peut-être", "Sans avis"]}]})


def _settings(path: Path | str, hoods: int, chats_per_hood: int) -> Settings:
    if isinstance(path, str):
        settings = load_settings(None)
        settings.storage.url = path
    else:
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


def _answer_rows(campaigns: list[str]) -> Iterator[tuple[object, ...]]:
    rng = random.Random(7)
    for campaign in campaigns:
        for index in range(PER_CAMPAIGN):
            stamp = to_db(START + timedelta(minutes=rng.randrange(6 * 24 * 60)))
            yield (campaign, "sondage", f"p{index:07d}", "simulated", "q000",
                   json.dumps([rng.randrange(4)]), stamp, stamp, 0, stamp)


def _fill_postgresql(url: str, campaigns: list[str]) -> None:
    """The same answers, with COPY (the fastest way in)."""
    import psycopg

    with psycopg.connect(url) as db:
        with db.cursor() as cursor, cursor.copy(
                "COPY answer (campaign_id, step_id, pseudonym, platform, neighbourhood_id,"
                " choices, first_answered_at, answered_at, after_reminder, voted_at)"
                " FROM STDIN") as copy:
            for row in _answer_rows(campaigns):
                copy.write_row(row)
        db.commit()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE answer")


def _raw_group_by_postgresql(url: str) -> None:
    import psycopg

    with psycopg.connect(url) as db:
        db.execute("SELECT campaign_id, step_id, COUNT(*) FROM answer"
                   " GROUP BY campaign_id, step_id").fetchall()


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


async def bench_overview(sizes: list[int], repeat: int, cluster: Cluster | None = None) -> None:
    backend = "PostgreSQL" if cluster else "SQLite"
    print(f"stats overview on {backend}, {PER_CAMPAIGN:,} answers per campaign"
          f" (median of {repeat})")
    for answers in sizes:
        with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
            name = cluster.fresh() if cluster else ""
            where: Path | str = cluster.url(name) if cluster else Path(tmp) / "store.db"
            try:
                await _overview_at(where, answers, repeat)
            finally:
                if cluster:
                    cluster.drop(name)


async def _overview_at(where: Path | str, answers: int, repeat: int) -> None:
    settings = _settings(where, 1, 1)
    async with open_core(settings, FakeClock(START), sends=False) as core:
        campaigns = [(await core.campaigns.start(SCENARIO, ["q000"], START)).id
                     for _ in range(answers // PER_CAMPAIGN)]
    if isinstance(where, str):
        _fill_postgresql(where, campaigns)
        raw_query = partial(_raw_group_by_postgresql, where)
    else:
        _fill(where, campaigns)
        raw_query = partial(_raw_group_by, where)
    async with open_core(settings, FakeClock(START), sends=False, writes=False) as core:
        summaries = await overview(core.stores, 5)  # warm the cache for both
        assert sum(s.respondents or 0 for s in summaries) == answers
        raw = await _timed(raw_query, repeat)
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


async def main(big: bool, repeat: int, backend: str, answers: list[int] | None) -> None:
    sizes = answers or [100_000, 300_000] + ([1_000_000] if big else [])
    if backend == "sqlite":
        await bench_overview(sizes, repeat)
        await bench_start([1_000, 10_000, 50_000], repeat)
        return
    bin_dir = binaries()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (no initdb): run scripts/test-setup.sh")
    cluster = Cluster(bin_dir)
    try:
        await asyncio.to_thread(cluster.start)
        await bench_overview(sizes, repeat, cluster)
    finally:
        cluster.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="answers up to 1M as well")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--answers", help="answer counts, comma-separated (e.g. 100000,5000000)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.big, arguments.repeat, arguments.backend,
                     [int(n) for n in arguments.answers.split(",")] if arguments.answers
                     else None))
