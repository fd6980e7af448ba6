"""A neighbourhood across platforms: its groups and rooms, their members, and the residents
who chose it in private — what facilitators see with ``/quartiers`` and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store.database import Database


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


async def presence(database: Database, only: str | None = None) -> list[NeighbourhoodPresence]:
    hoods = {row["id"]: NeighbourhoodPresence(row["id"], row["name"]) for row in
             await database.fetch_all("SELECT id, name FROM neighbourhood ORDER BY id")
             if only is None or row["id"] == only}
    chats = await database.fetch_all(
        """
        SELECT c.neighbourhood_id AS hood, c.platform, COUNT(*) AS chats,
               SUM(COALESCE((SELECT d.reach FROM delivery d WHERE d.chat_id = c.id
                             AND d.pseudonym IS NULL AND d.reach IS NOT NULL
                             ORDER BY d.sent_at DESC LIMIT 1), 0)) AS members
        FROM chat c WHERE c.active = 1 AND c.neighbourhood_id IS NOT NULL
        GROUP BY c.neighbourhood_id, c.platform
        """
    )
    for row in chats:
        if row["hood"] in hoods:
            place = hoods[row["hood"]].on(row["platform"])
            place.chats, place.members = int(row["chats"]), int(row["members"] or 0)
    residents = await database.fetch_all(
        "SELECT r.neighbourhood_id AS hood, r.platform, COUNT(*) AS n FROM resident r"
        " JOIN address_book a USING (pseudonym) WHERE r.consent_at IS NOT NULL"
        " AND r.opted_out = 0 AND r.neighbourhood_id IS NOT NULL"
        " GROUP BY r.neighbourhood_id, r.platform"
    )
    for row in residents:
        if row["hood"] in hoods:
            hoods[row["hood"]].on(row["platform"]).residents_in_private = int(row["n"])
    return list(hoods.values())
