"""Benchmark: draining due rows with several workers (issue 14, items 3 and 5).

1. Draining N due rows (an announcement planned on N group chats) through the real worker
   and a no-op adapter (no limits, 64 sends in flight): 1 worker on SQLite (the baseline,
   measured in the same run), then 1 and 3 worker processes on one PostgreSQL database (a
   throwaway cluster started as the tests start theirs). Prints rows/s, the ratio to the
   baseline, and checks that every row was sent exactly once.
2. Planning a 5-step campaign on N chats (``campaign start``: every row written), on both.

Each size prints the median and min–max of the repeats and the cost per unit.

    python bench/bench_workers.py                 # 2k, 10k rows (~2 min)
    python bench/bench_workers.py --sizes 1000,10000,100000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from animabot.chat.contract import InboundHandler  # noqa: E402
from animabot.chat.outgoing import OutgoingMessage, SendResult, Target  # noqa: E402
from animabot.clock import FakeClock  # noqa: E402
from animabot.config import NeighbourhoodSettings, Settings, load_settings  # noqa: E402
from animabot.core import open_core  # noqa: E402
from animabot.scenario.model import Scenario  # noqa: E402
from tests.support.postgres import Cluster, binaries  # noqa: E402

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday, inside the sending window
HOODS = 20
ANNOUNCE = Scenario.model_validate({"id": "bench", "title": "Bench", "steps": [
    {"id": "annonce", "kind": "announcement", "at": "+0", "text": "Réunion jeudi."}]})
FIVE_STEPS = Scenario.model_validate({"id": "five", "title": "Five", "steps": [
    {"id": "annonce", "kind": "announcement", "at": "+0", "text": "Bonjour."},
    {"id": "sondage", "kind": "poll", "at": "+1d", "closes": "+3d", "reminders": ["+2d"],
     "question": "Un jardin ?", "options": ["Oui", "Non"]},
    {"id": "rappel", "kind": "announcement", "at": "+4d", "text": "Merci."}]})


@dataclass
class NoopAdapter:
    """Sends nothing, answers at once: the cost measured is animabot's and the store's."""

    platform: str = "simulated"
    idempotent_sends: bool = True
    limits: None = None
    max_in_flight: int = 64
    sent: int = 0

    async def start(self, handler: InboundHandler) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        self.sent += 1
        return SendResult(f"m{self.sent}")

    async def member_count(self, address: str) -> int | None:
        return 10


def _settings(where: str, chats: int) -> Settings:
    settings = load_settings(None, database=Path(where) if "://" not in where else None)
    if "://" in where:
        settings.storage.url = where
    settings.privacy.key = SecretStr("bench-key-0123456789abcdef0123456789")
    settings.delivery.quiet_hours = ""
    settings.delivery.closed_days = []
    settings.delivery.approval_above = HOODS  # no second facilitator to wait for
    per = max(1, chats // HOODS)
    settings.neighbourhoods = [
        NeighbourhoodSettings(id=f"q{i:03d}", name=f"Quartier {i}",
                              simulated_chats=[f"g{i}-{n}" for n in range(per)])
        for i in range(HOODS)]
    return settings


async def _plan(where: str, chats: int, scenario: Scenario) -> float:
    settings = _settings(where, chats)
    async with open_core(settings, FakeClock(START), sends=False) as core:
        began = time.perf_counter()
        await core.campaigns.start(scenario, [h.id for h in settings.neighbourhoods], START)
        return time.perf_counter() - began


async def _drain(where: str, chats: int) -> tuple[float, float, int]:
    settings = _settings(where, chats)
    adapter = NoopAdapter()
    async with open_core(settings, FakeClock(START)) as core:
        worker = core.worker({"simulated": adapter})
        began = time.time()
        while await worker.drain():
            pass
        return began, time.time(), adapter.sent


def _drain_process(where: str, chats: int, out: multiprocessing.Queue[object]) -> None:
    out.put(asyncio.run(_drain(where, chats)))


def _drain_with(where: str, chats: int, workers: int) -> tuple[float, int]:
    """Seconds from the first worker's start to the last one's end; rows sent in all."""
    context = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[object] = context.Queue()
    processes = [context.Process(target=_drain_process, args=(where, chats, out))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    results = [out.get(timeout=3600) for _ in processes]
    for process in processes:
        process.join()
    spans = [r for r in results if isinstance(r, tuple)]
    return max(s[1] for s in spans) - min(s[0] for s in spans), sum(s[2] for s in spans)


def _line(label: str, units: int, unit: str, times: list[float], base: float | None) -> None:
    mine = statistics.median(times)
    ratio = f" → {mine / base:5.2f} × SQLite" if base else ""
    print(f"  {label:<22} {mine:7.2f} s ({min(times):.2f}–{max(times):.2f})"
          f" = {mine / units * 1e6:8.1f} µs/{unit}, {units / mine:8.0f} {unit}s/s{ratio}")


def _repeat(work: Callable[[], tuple[float, int]], chats: int, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        seconds, sent = work()
        assert sent == chats // HOODS * HOODS, f"{sent} rows sent, not one each"
        times.append(seconds)
    return times


def bench(sizes: list[int], repeat: int, cluster: Cluster) -> None:
    for chats in sizes:
        rows = chats // HOODS * HOODS
        print(f"{rows:,} due rows (one per group chat), median of {repeat}")
        plan: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
        drain: dict[str, list[float]] = {"sqlite": [], "postgresql 1": [], "postgresql 3": []}
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
                where = str(Path(tmp) / "store.db")
                plan["sqlite"].append(asyncio.run(_plan(where, chats, ANNOUNCE)))
                seconds, sent = _drain_with(where, chats, 1)
                assert sent == rows, sent
                drain["sqlite"].append(seconds)
            for workers in (1, 3):
                name = cluster.fresh()
                try:
                    url = cluster.url(name)
                    if workers == 1:
                        plan["postgresql"].append(asyncio.run(_plan(url, chats, ANNOUNCE)))
                    else:
                        asyncio.run(_plan(url, chats, ANNOUNCE))
                    seconds, sent = _drain_with(url, chats, workers)
                    assert sent == rows, f"{sent} sent for {rows} rows"
                    drain[f"postgresql {workers}"].append(seconds)
                finally:
                    cluster.drop(name)
        base = statistics.median(drain["sqlite"])
        for label, times in drain.items():
            _line(f"drain, {label}", rows, "row", times, base if label != "sqlite" else None)
        base = statistics.median(plan["sqlite"])
        for label, times in plan.items():
            _line(f"plan 1 step, {label}", rows, "row", times,
                  base if label != "sqlite" else None)


def bench_plan(sizes: list[int], repeat: int, cluster: Cluster) -> None:
    print(f"planning a 5-step campaign (5 group rows per chat), median of {repeat}")
    for chats in sizes:
        times: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
                times["sqlite"].append(asyncio.run(_plan(str(Path(tmp) / "s.db"), chats,
                                                         FIVE_STEPS)))
            name = cluster.fresh()
            try:
                times["postgresql"].append(asyncio.run(_plan(cluster.url(name), chats,
                                                             FIVE_STEPS)))
            finally:
                cluster.drop(name)
        base = statistics.median(times["sqlite"])
        for label, measured in times.items():
            _line(f"{chats:,} chats, {label}", chats, "chat", measured,
                  base if label != "sqlite" else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000", help="chats (due rows), comma-separated")
    parser.add_argument("--plan-sizes", default="1000,10000", help="chats for the 5-step plan")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    bin_dir = binaries()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (no initdb): run scripts/test-setup.sh")
    cluster = Cluster(bin_dir)
    try:
        cluster.start()
        bench([int(n) for n in arguments.sizes.split(",")], arguments.repeat, cluster)
        bench_plan([int(n) for n in arguments.plan_sizes.split(",")], arguments.repeat,
                   cluster)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
