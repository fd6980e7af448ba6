"""A neighbourhood across platforms: its groups and rooms, their members, and the residents
who chose it in private — what facilitators see with ``/quartiers`` and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store.database import Database
from ..store.stores import Stores, stores_of


@dataclass
class PlatformPresence:
    chats: int = 0
    members: int = 0  # last known member counts of its groups (recorded at each send)
    residents_in_private: int = 0  # consenting residents who chose the neighbourhood


@dataclass
class NeighbourhoodPresence:
    id: str
    name: str
    platforms: dict[str, PlatformPresence] = field(default_factory=dict)

    def on(self, platform: str) -> PlatformPresence:
        return self.platforms.setdefault(platform, PlatformPresence())


async def presence(
    source: Database | Stores, only: str | None = None
) -> list[NeighbourhoodPresence]:
    hub = stores_of(source).hub
    hoods = {hood: NeighbourhoodPresence(hood, name)
             for hood, name in (await hub.neighbourhoods()).items()
             if only is None or hood == only}
    for chats in await hub.chats():
        if chats.neighbourhood_id in hoods:
            place = hoods[chats.neighbourhood_id].on(chats.platform)
            place.chats, place.members = chats.chats, chats.members
    for private in await hub.residents():
        if private.neighbourhood_id in hoods:
            hoods[private.neighbourhood_id].on(private.platform).residents_in_private = (
                private.residents)
    return list(hoods.values())
