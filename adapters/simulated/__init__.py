"""A simulated chat platform and simulated residents, for ``animabot demo`` and the tests."""

from .adapter import SimulatedAdapter, SimulatedAdapterFactory
from .platform import SimulatedPlatform
from .residents import Simulation

__all__ = ["SimulatedAdapter", "SimulatedAdapterFactory", "SimulatedPlatform", "Simulation"]
