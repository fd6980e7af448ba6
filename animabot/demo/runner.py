"""Play a shipped scenario on simulated residents with an accelerated (fake) clock.

The loop jumps the clock to the next thing that happens — a due delivery or a resident's
action — so a week of campaign takes seconds, while every send goes through the real
planner, outbox worker and SQLite database, and every answer through the real handlers.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from ..chat.contract import ChatAdapter, InboundHandler
from ..chat.registry import adapter_factory
from ..clock import FakeClock
from ..config import NeighbourhoodSettings, Settings, load_settings
from ..core import open_core
from ..privacy.pseudonyms import Pseudonymizer
from ..scenario.loader import load_scenario
from ..scenario.model import Scenario
from ..scenario.timeline import TimelineEntry, build_timeline
from ..stats.campaign import CampaignFigures, campaign_figures
from ..store.deliveries import DeliveryRepository

DEMO_START = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))  # a Tuesday
DEMO_KEY = "animabot-demo-key-not-secret-0123456789abcdef"
DEMO_NEIGHBOURHOODS = (
    ("centre", "Centre-ville", "groupe-centre"),
    ("gare", "Quartier de la Gare", "groupe-gare"),
)
MAX_ITERATIONS = 100_000  # a bound on the loop, far above a real demo's few thousand steps


class Simulation(Protocol):
    """What the demo needs of the simulated residents (built by the simulated adapter)."""

    def attach(self, handler: InboundHandler) -> None: ...
    def next_action_at(self) -> datetime | None: ...
    async def run_due(self, now: datetime) -> int: ...


class SimulationFactory(Protocol):
    def simulate(
        self, settings: Settings, pseudonymize: Pseudonymizer, clock: FakeClock,
        neighbourhoods: list[tuple[str, str, str]], residents: int, seed: int,
        scenario: Any = None,
    ) -> tuple[ChatAdapter, Simulation]: ...


@dataclass(frozen=True)
class DemoResult:
    campaign_id: str
    database: Path
    figures: CampaignFigures
    deliveries_sent: int
    resident_actions: int


def demo_settings(database: Path, key_dir: Path) -> Settings:
    settings = load_settings(None, database=database)
    settings.privacy.key = SecretStr(DEMO_KEY)
    settings.privacy.key_file = key_dir / "demo.key"
    settings.simulated.enabled = True
    settings.neighbourhoods = [
        NeighbourhoodSettings(id=hood, name=name, simulated_chats=[chat])
        for hood, name, chat in DEMO_NEIGHBOURHOODS
    ]
    return settings


def shipped_scenario(name: str = "demo") -> Path:
    from importlib.resources import files

    return Path(str(files("scenarios").joinpath(f"{name}.toml")))


async def run_demo(
    residents: int = 40, seed: int = 1, database: Path | None = None,
    scenario_path: Path | None = None,
    on_entry: Callable[[TimelineEntry, int], None] = lambda entry, sent: None,
) -> DemoResult:
    """Run the demo; ``on_entry`` is told each time a timeline entry has been played, with
    the messages that entry sent (group and private), not a running total."""
    scenario: Scenario = load_scenario(scenario_path or shipped_scenario())
    with tempfile.TemporaryDirectory(prefix="animabot-demo-") as tmp:
        path = database or Path(tmp) / "demo.db"
        settings = demo_settings(path, Path(tmp))
        clock = FakeClock(DEMO_START)
        async with open_core(settings, clock) as core:
            factory = cast(SimulationFactory, adapter_factory("simulated"))
            adapter, simulation = factory.simulate(
                settings, core.pseudonymize, clock, list(DEMO_NEIGHBOURHOODS), residents, seed,
                scenario,
            )
            worker = core.worker({adapter.platform: adapter})
            await adapter.start(core.conversation.handle)
            started = await core.campaigns.start(
                scenario, [hood for hood, _, _ in DEMO_NEIGHBOURHOODS], DEMO_START,
                source="demo", campaign_id=f"demo-{seed}",
            )
            timeline = build_timeline(scenario, DEMO_START, settings.window())
            end = max(e.due_at for e in timeline) + timedelta(days=1)
            deliveries = core.stores.deliveries

            async def sent_by(entry: TimelineEntry) -> int:
                return await core.stores.reporting.sent_count(started.id, entry.step_id,
                                                              entry.part)

            actions = await _play(worker.drain, deliveries, simulation, clock, end,
                                  timeline, on_entry, sent_by)
            await adapter.stop()
            figures = await campaign_figures(
                core.stores, started.id, settings.privacy.min_cell, settings.bot.language
            )
            return DemoResult(started.id, path, figures, worker.stats.sent, actions)


async def _play(
    drain: Callable[[], Any], deliveries: DeliveryRepository, simulation: Simulation,
    clock: FakeClock, end: datetime, timeline: list[TimelineEntry],
    on_entry: Callable[[TimelineEntry, int], None],
    sent: Callable[[TimelineEntry], Awaitable[int]],
) -> int:
    pending_entries = list(timeline)
    actions = 0
    for _ in range(MAX_ITERATIONS):
        await drain()
        while pending_entries and pending_entries[0].due_at <= clock.now():
            entry = pending_entries.pop(0)
            on_entry(entry, await sent(entry))
        candidates = [t for t in (await deliveries.next_due(), simulation.next_action_at()) if t]
        if not candidates or min(candidates) > end:
            break
        clock.advance_to(min(candidates))
        actions += await simulation.run_due(clock.now())
    return actions
