"""Benchmark: the statistics of one campaign over 1,000,000 answers in 200 neighbourhoods.

Baseline, same file, same run: a raw SQLite ``GROUP BY`` counting the answers per option,
neighbourhood and platform (the least any such report must read). animabot:
``campaign_figures`` — every figure of the campaign page, suppression included.

    python bench/bench_stats.py [--answers 1000000] [--neighbourhoods 200]
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from animabot.clock import FakeClock
from animabot.config import NeighbourhoodSettings, load_settings
from animabot.core import open_core
from animabot.scenario.model import Scenario
from animabot.stats.campaign import campaign_figures
from animabot.store.timestamps import to_db

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SCENARIO = Scenario.model_validate({"id": "bench", "title": "Bench", "steps": [
    {"id": "sondage", "kind": "poll", "at": "+0", "closes": "+6d", "reminders": ["+3d"],
     "question": "Un jardin ?", "options": ["Oui", "Non", "Peut-être", "Sans avis"]}]})


def fill(path: Path, campaign_id: str, answers: int, hoods: int) -> None:
    """Answers written straight into the file: building 1M rows through the bot is not the
    point here, reading them back is."""
    rng = random.Random(7)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    rows = []
    for index in range(answers):
        when = START + timedelta(minutes=rng.randrange(6 * 24 * 60))
        stamp = to_db(when)
        rows.append((campaign_id, "sondage", f"p{index:07d}", "telegram" if index % 3 else "matrix",
                     f"q{index % hoods:03d}", json.dumps([rng.randrange(4)]), stamp, stamp,
                     int(when > START + timedelta(days=3)), stamp))
    db.executemany(
        "INSERT INTO answer (campaign_id, step_id, pseudonym, platform, neighbourhood_id,"
        " choices, first_answered_at, answered_at, after_reminder, voted_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.execute("ANALYZE")
    db.close()


def raw_group_by(path: Path, campaign_id: str) -> float:
    db = sqlite3.connect(path)
    started = time.perf_counter()
    db.execute(
        "SELECT choices, neighbourhood_id, platform, COUNT(*) FROM answer"
        " WHERE campaign_id = ? AND step_id = ? GROUP BY choices, neighbourhood_id, platform",
        (campaign_id, "sondage")).fetchall()
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


async def main(answers: int, hoods: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
        path = Path(tmp) / "stats.db"
        settings = load_settings(None, database=path)
        settings.privacy.key = SecretStr("bench-key-0123456789abcdef0123456789")
        settings.neighbourhoods = [
            NeighbourhoodSettings(id=f"q{i:03d}", name=f"Quartier {i}",
                                  simulated_chats=[f"g{i}"]) for i in range(hoods)]
        async with open_core(settings, FakeClock(START), sends=False) as core:
            started = await core.campaigns.start(SCENARIO, [f"q{i:03d}" for i in range(hoods)],
                                                 START)
        began = time.perf_counter()
        fill(path, started.id, answers, hoods)
        print(f"filled {answers:,} answers in {time.perf_counter() - began:.1f} s")
        ours, raw = [], []
        async with open_core(settings, FakeClock(START), sends=False) as core:
            for _ in range(repeat):
                raw.append(raw_group_by(path, started.id))
                began = time.perf_counter()
                figures = await campaign_figures(core.database, started.id, 5)
                ours.append(time.perf_counter() - began)
        assert figures.polls[0].respondents == answers
    baseline, mine = statistics.median(raw), statistics.median(ours)
    print(f"one campaign, {answers:,} answers, {hoods} neighbourhoods (median of {repeat})")
    print(f"baseline raw SQLite GROUP BY:  {baseline:6.3f} s")
    print(f"animabot campaign_figures:     {mine:6.3f} s = {mine / baseline:.2f} × baseline")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--neighbourhoods", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.answers, arguments.neighbourhoods, arguments.repeat))
