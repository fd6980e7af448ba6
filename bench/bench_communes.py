"""Benchmark: one intercommunal announcement, each commune through its own Telegram bot.

Each Telegram bot has its own limits (30 messages/s overall), so an intercommunal body whose
communes run their own bots (``[communes.<id>.telegram]``) reaches their groups together at
the sum of their ceilings, while one bot for the whole deployment stays at 30/s. In the same
run, against Bot API emulators in their own processes (flood control on, ``--latency-ms``
per call):

- **communes**: ``--communes`` communes, each with its own bot on its own emulator and
  ``--groups`` groups; one campaign ``--to agglo`` (the intercommunal body): achieved rate ÷
  (communes × 30/s), 429s;
- **baseline**: the same groups all reached by the deployment's one bot (one emulator):
  rate ÷ 30/s, 429s.

Each figure is printed as median and min-max over ``--repeat`` runs.

    python bench/bench_communes.py [--communes 2] [--groups 300] [--repeat 3] [--latency-ms 150]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "true")

from bench_telegram import CEILING, FIRST_GROUP, TEXT, Emulator, spread

from animabot.chat.registry import create_adapter, enabled_bots
from animabot.clock import SystemClock
from animabot.config import Settings, load_settings
from animabot.config.communes import expand_targets
from animabot.core import open_core
from animabot.scenario.model import Scenario
from animabot.scheduling import WakeScheduler
from animabot.store.state import PlatformState


@dataclass
class Run:
    rate: float  # messages per second over the whole announcement
    refused: int  # 429s the worker met


def _settings(folder: Path, emulators: list[Emulator], groups: int, own_bots: bool) -> Settings:
    """Communes c0, c1… with a neighbourhood each (``groups`` groups), their own bots when
    ``own_bots`` (else every group through the deployment's one bot), and ``agglo``."""
    lines = ['[privacy]', 'key = "bench-key-0123456789abcdef0123456789"',
             '[delivery]', 'quiet_hours = ""', 'closed_days = []',
             '[console]', 'enabled = false']
    if not own_bots:
        lines += ['[telegram]', 'enabled = true', f'token = "{emulators[0].token}"',
                  f'base_url = "{emulators[0].base_url}"', 'poll_timeout = 25']
    chat_ids = [FIRST_GROUP - i for i in range(groups * len(emulators))]
    for n, emulator in enumerate(emulators if own_bots else [emulators[0]] * len(emulators)):
        mine = (chat_ids[n * groups:(n + 1) * groups] if not own_bots
                else [FIRST_GROUP - i for i in range(groups)])
        lines += ['[[neighbourhoods]]', f'id = "q{n}"', f'name = "Quartier {n}"',
                  f'commune = "c{n}"', f'endpoints = {{ telegram = {[str(c) for c in mine]} }}',
                  f'[communes.c{n}]', f'name = "Commune {n}"']
        if own_bots:
            lines += [f'[communes.c{n}.telegram]', 'enabled = true',
                      f'token = "{emulator.token}"', f'base_url = "{emulator.base_url}"',
                      'poll_timeout = 25']
    members = ", ".join(f'"c{n}"' for n in range(len(emulators)))
    lines += ['[communes.agglo]', 'name = "Agglomération"', f'members = [{members}]']
    file = folder / "config.toml"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_settings(file, database=folder / "bench.db")


async def announce(emulators: list[Emulator], groups: int, own_bots: bool) -> Run:
    with tempfile.TemporaryDirectory(prefix="animabot-bench-") as tmp:
        settings = _settings(Path(tmp), emulators, groups, own_bots)
        scenario = Scenario.model_validate({"id": "bench", "title": "Bench", "steps": [
            {"id": "annonce", "kind": "announcement", "at": "+0", "text": TEXT}]})
        clock = SystemClock()
        async with open_core(settings, clock) as core:
            adapters: dict[str, Any] = {}
            for name, (factory, read) in enabled_bots(settings).items():  # as `animabot run`
                adapters[name] = create_adapter(factory, read, core.pseudonymize,
                                                state=PlatformState(core.database, name),
                                                name=name)
            worker = core.worker(adapters)
            scheduler = WakeScheduler(worker, clock)
            core.services.wake = scheduler.poke
            for adapter in adapters.values():
                await adapter.start(core.conversation.handle)
            await core.campaigns.start(scenario, expand_targets(settings, ["agglo"]),
                                       datetime.now(UTC))
            began = time.monotonic()
            await scheduler.start()
            while await core.database.fetch_one(
                "SELECT 1 FROM delivery WHERE part != 'reply' AND status NOT IN"
                " ('sent', 'failed', 'skipped', 'unknown')"
            ) is not None:
                await asyncio.sleep(0.05)
            wall = time.monotonic() - began
            sent = await core.database.fetch_one(
                "SELECT COUNT(*) AS n FROM delivery WHERE part = 'send' AND status = 'sent'")
            assert sent is not None and int(sent["n"]) == groups * len(emulators), sent
            await scheduler.stop()
            for adapter in adapters.values():
                await adapter.stop()
            return Run(groups * len(emulators) / wall, worker.stats.retried)


async def main(communes: int, groups: int, repeat: int, latency_ms: float) -> None:
    emulators = [Emulator(groups if n else groups * communes, latency_ms)
                 for n in range(communes)]
    try:
        own, one = [], []
        for _ in range(repeat):
            own.append(await announce(emulators, groups, own_bots=True))
            await asyncio.sleep(2.1)  # the per-chat windows of the last sends
            one.append(await announce(emulators, groups, own_bots=False))
            await asyncio.sleep(2.1)
    finally:
        flood = [emulator.close() for emulator in emulators]
    print(f"\n== one intercommunal announcement to {communes} × {groups} groups, "
          f"{latency_ms:.0f} ms per Bot API call, flood control on, {repeat} runs: "
          "median (min-max)")
    print(f"each commune its own bot: rate / ({communes} × 30/s) "
          f"{spread([r.rate / (CEILING * communes) for r in own], '.3f')}   "
          f"({spread([r.rate for r in own], '.1f')} msg/s), "
          f"429s met: {sum(r.refused for r in own)}")
    print(f"baseline, the deployment's one bot: rate / 30/s "
          f"{spread([r.rate / CEILING for r in one], '.3f')}   "
          f"({spread([r.rate for r in one], '.1f')} msg/s), "
          f"429s met: {sum(r.refused for r in one)}")
    print(f"speed-up of the communes' own bots: "
          f"{spread([a.rate / b.rate for a, b in zip(own, one, strict=True)], '.2f')} ×   "
          f"(emulators' 429s, every run: {flood})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=2)
    parser.add_argument("--groups", type=int, default=300, help="per commune")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=150.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.communes, arguments.groups, arguments.repeat,
                     arguments.latency_ms))
