"""The directory of local actors: public information, imported from a facilitator's CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain.actor import TAG_SEPARATOR, Actor, search_text
from .database import Database, Row
from .timestamps import to_db

_UPSERT = """
INSERT INTO actor (id, name, kind, tags, neighbourhood_id, contact, description, search_text,
                   updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, kind = excluded.kind, tags = excluded.tags,
    neighbourhood_id = excluded.neighbourhood_id, contact = excluded.contact,
    description = excluded.description, search_text = excluded.search_text,
    updated_at = excluded.updated_at
"""


@dataclass(frozen=True)
class Saved:
    created: int
    updated: int


def actor_from_row(row: Row) -> Actor:
    return Actor(
        id=row["id"], name=row["name"], kind=row["kind"],
        tags=tuple(t for t in row["tags"].split(TAG_SEPARATOR) if t),
        neighbourhood_id=row["neighbourhood_id"], contact=row["contact"],
        description=row["description"],
    )


class ActorRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def save_all(self, actors: Sequence[Actor], now: datetime) -> Saved:
        """Insert or replace (by id) every actor in one transaction: all or nothing."""
        if not actors:
            return Saved(0, 0)
        ids = {a.id for a in actors}
        async with self.database.transaction() as db:
            existing = {row[0] for row in await db.fetch_all("SELECT id FROM actor")} & ids
            await db.execute_many(_UPSERT, [  # a town's few hundred
                (a.id, a.name, a.kind, TAG_SEPARATOR.join(a.tags), a.neighbourhood_id,
                 a.contact, a.description, search_text(a), to_db(now))
                for a in actors
            ])
        return Saved(len(ids - existing), len(existing))

    async def all(self, neighbourhood_id: str | None = None) -> list[Actor]:
        if neighbourhood_id is None:
            rows = await self.database.fetch_all("SELECT * FROM actor ORDER BY name, id")
        else:
            rows = await self.database.fetch_all(
                "SELECT * FROM actor WHERE neighbourhood_id = ? ORDER BY name, id",
                (neighbourhood_id,),
            )
        return [actor_from_row(r) for r in rows]

    async def get(self, actor_id: str) -> Actor | None:
        row = await self.database.fetch_one("SELECT * FROM actor WHERE id = ?", (actor_id,))
        return actor_from_row(row) if row else None

    async def ids(self) -> list[str]:
        rows = await self.database.fetch_all("SELECT id FROM actor ORDER BY id")
        return [row["id"] for row in rows]
