"""The simulated platform's adapter: same contract as Telegram or Matrix, no network."""

from __future__ import annotations

import asyncio
from typing import Any

from animabot.chat.contract import InboundHandler
from animabot.chat.outgoing import OutgoingMessage, SendResult, Target
from animabot.clock import Clock, SystemClock
from animabot.config import Settings
from animabot.privacy.pseudonyms import Pseudonymizer

from .platform import SimulatedPlatform
from .residents import Neighbourhood, Simulation

PLATFORM = "simulated"


class SimulatedAdapter:
    platform = PLATFORM
    idempotent_sends = True  # the platform drops a repeated key, as Matrix does with txn ids
    limits = None

    def __init__(
        self, platform: SimulatedPlatform, clock: Clock, latency: float = 0.0,
        simulation: Simulation | None = None,
    ) -> None:
        self.sim_platform = platform
        self.clock = clock
        self.latency = latency
        self.simulation = simulation
        self.handler: InboundHandler | None = None

    async def start(self, handler: InboundHandler) -> None:
        self.handler = handler
        if self.simulation is not None:
            self.simulation.attach(handler)

    async def stop(self) -> None:
        self.handler = None
        self.sim_platform.close()

    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        if self.latency:
            await asyncio.sleep(self.latency)
        received = self.sim_platform.receive(key, target, message, self.clock.now())
        if self.simulation is not None:
            self.simulation.observe(target, message)
        return SendResult(received.ref)

    async def member_count(self, address: str) -> int | None:
        if self.simulation is not None:
            return self.simulation.members(address)
        return self.sim_platform.member_count(address)


class SimulatedAdapterFactory:
    name = PLATFORM
    label = "Simulée"  # on the dashboard

    def enabled(self, settings: Settings) -> bool:
        return settings.simulated.enabled

    def create(
        self, settings: Settings, pseudonymize: Pseudonymizer, **options: Any
    ) -> SimulatedAdapter:
        simulation: Simulation | None = options.get("simulation")
        clock: Clock = options.get("clock") or SystemClock()
        platform = SimulatedPlatform(settings.simulated.log, settings.simulated.members)
        return SimulatedAdapter(platform, clock, settings.simulated.latency_ms / 1000, simulation)

    def simulate(
        self, settings: Settings, pseudonymize: Pseudonymizer, clock: Clock,
        neighbourhoods: list[tuple[str, str, str]], residents: int, seed: int,
        scenario: Any = None,
    ) -> tuple[SimulatedAdapter, Simulation]:
        """An adapter wired to simulated residents: (id, name, chat address) per neighbourhood."""
        hoods = [Neighbourhood(*hood) for hood in neighbourhoods]
        simulation = Simulation(pseudonymize, clock, hoods, residents, seed, scenario)
        adapter = self.create(settings, pseudonymize, clock=clock, simulation=simulation)
        return adapter, simulation
