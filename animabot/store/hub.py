"""The hub's reads: each neighbourhood's active chats, their last known members and the
residents who chose it in private, per platform."""

from __future__ import annotations

from dataclasses import dataclass

from .database import Database


@dataclass(frozen=True)
class ChatPresence:
    neighbourhood_id: str
    platform: str
    chats: int
    members: int  # the reach recorded at each chat's latest group send


@dataclass(frozen=True)
class PrivatePresence:
    neighbourhood_id: str
    platform: str
    residents: int


class HubQueries:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def neighbourhoods(self) -> dict[str, str]:
        rows = await self.database.fetch_all("SELECT id, name FROM neighbourhood ORDER BY id")
        return {row["id"]: str(row["name"]) for row in rows}

    async def chats(self) -> list[ChatPresence]:
        rows = await self.database.fetch_all(
            """
            SELECT c.neighbourhood_id AS hood, c.platform, COUNT(*) AS chats,
                   SUM(COALESCE((SELECT d.reach FROM delivery d WHERE d.chat_id = c.id
                                 AND d.pseudonym IS NULL AND d.reach IS NOT NULL
                                 ORDER BY d.sent_at DESC NULLS LAST LIMIT 1), 0))
                       AS members
            FROM chat c WHERE c.active = 1 AND c.neighbourhood_id IS NOT NULL
            GROUP BY c.neighbourhood_id, c.platform ORDER BY c.neighbourhood_id, c.platform
            """
        )
        return [ChatPresence(r["hood"], r["platform"], int(r["chats"]), int(r["members"] or 0))
                for r in rows]

    async def residents(self) -> list[PrivatePresence]:
        """Consenting residents who can be written to privately, per neighbourhood and
        platform (a GROUP BY over ``resident_neighbourhood``)."""
        rows = await self.database.fetch_all(
            "SELECT r.neighbourhood_id AS hood, r.platform, COUNT(*) AS n FROM resident r"
            " JOIN address_book a USING (pseudonym) WHERE r.consent_at IS NOT NULL"
            " AND r.opted_out = 0 AND a.status = 'active' AND r.neighbourhood_id IS NOT NULL"
            " GROUP BY r.neighbourhood_id, r.platform ORDER BY r.neighbourhood_id, r.platform"
        )
        return [PrivatePresence(r["hood"], r["platform"], int(r["n"])) for r in rows]
