"""Facilitators who wrote to the bot in private: whom to tell when a chat is lost or a send is
in doubt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .database import Database
from .timestamps import to_db


@dataclass(frozen=True)
class FacilitatorContact:
    pseudonym: str
    tag: str  # names them in delivery keys: a key never holds a pseudonym (residents.erase)
    language: str
    platform: str  # the bot they write to: a commune's own bot says their commune


class FacilitatorRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def remember(self, pseudonym: str, now: datetime) -> None:
        """Note a facilitator once; the first time is kept."""
        await self.database.execute(
            "INSERT INTO facilitator (pseudonym, since) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (pseudonym, to_db(now)),
        )

    async def reachable(self) -> list[FacilitatorContact]:
        """Facilitators the bot can write to privately and who did not opt out."""
        rows = await self.database.fetch_all(
            "SELECT f.pseudonym, r.tag, r.language, a.platform FROM facilitator f JOIN resident r"
            " USING (pseudonym) JOIN address_book a USING (pseudonym) WHERE r.opted_out = 0"
            " ORDER BY f.pseudonym"
        )
        return [FacilitatorContact(row["pseudonym"], row["tag"], row["language"] or "fr",
                                   row["platform"]) for row in rows]
