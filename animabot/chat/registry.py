"""Finds adapters through the ``animabot.adapters`` entry-point group."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import cast

from ..errors import AnimabotError
from .contract import AdapterFactory

GROUP = "animabot.adapters"


def available_adapters() -> dict[str, AdapterFactory]:
    factories: dict[str, AdapterFactory] = {}
    for point in entry_points(group=GROUP):
        factory = point.load()
        factories[point.name] = cast(
            AdapterFactory, factory() if isinstance(factory, type) else factory
        )
    return factories


def adapter_factory(name: str) -> AdapterFactory:
    factories = available_adapters()
    if name not in factories:
        known = ", ".join(sorted(factories)) or "none: is animabot installed (pip install -e .)?"
        raise AnimabotError(f"no adapter named {name!r}; installed adapters: {known}")
    return factories[name]
