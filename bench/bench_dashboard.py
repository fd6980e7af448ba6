"""200 agents open the same campaign chart at once (issue 12: p50 24.8 s, drawn one by one).

    python bench/bench_dashboard.py [--requests 200] [--repeat 3]

Against the demo's database, through the real dashboard over HTTP on loopback. Baseline, same
run: the same requests with the chart cache bypassed (every request draws, one at a time, as
before). Prints the median and min–max of each run's p50 and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp.test_utils import TestClient, TestServer

from animabot.config import NeighbourhoodSettings, WebAgent, load_settings
from animabot.demo.runner import DEMO_NEIGHBOURHOODS, run_demo
from animabot.web.app import build_app
from animabot.web.auth import hash_token
from animabot.web.state import DASHBOARD

TOKEN = "jeton-du-banc-d-essai-0123456789"
URL = "/campaigns/demo-1/charts/priorite-options.png"


class NoCache:
    """The old behaviour: every request draws its own chart on the one painter thread."""

    def __init__(self, painter: object) -> None:
        self.painter = painter

    async def get(self, key: str, draw: object) -> bytes | None:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.painter, draw)  # type: ignore[arg-type]


async def one_run(database: Path, requests: int, cached: bool) -> tuple[float, float]:
    settings = load_settings(None, database=database)
    settings.neighbourhoods = [NeighbourhoodSettings(id=hood, name=name)
                               for hood, name, _ in DEMO_NEIGHBOURHOODS]
    settings.web.agents = [WebAgent(name="Banc", token_sha256=hash_token(TOKEN))]
    app = build_app(settings)
    if not cached:
        dashboard = app[DASHBOARD]
        dashboard.charts = NoCache(dashboard.painter)  # type: ignore[assignment]
    async with TestClient(TestServer(app)) as client:
        headers = {"Authorization": f"Bearer {TOKEN}"}

        async def timed() -> float:
            started = time.perf_counter()
            response = await client.get(URL, headers=headers)
            await response.read()
            assert response.status == 200
            return time.perf_counter() - started

        took = sorted(await asyncio.gather(*(timed() for _ in range(requests))))
    return took[len(took) // 2], took[int(len(took) * 0.95) - 1]


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


async def main(requests: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "demo.db"
        await run_demo(residents=40, seed=1, database=database)
        for cached, label in ((False, "baseline: every request draws"),
                              (True, "animabot: drawn once per picture")):
            runs = [await one_run(database, requests, cached) for _ in range(repeat)]
            print(f"{label:34} p50 {spread([p50 for p50, _ in runs])}"
                  f"   p95 {spread([p95 for _, p95 in runs])}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.repeat))
