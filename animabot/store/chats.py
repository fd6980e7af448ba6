"""Neighbourhoods and the group chats (Telegram groups, Matrix rooms…) linked to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .database import Database, Row
from .timestamps import to_db


@dataclass(frozen=True)
class ChatRecord:
    id: int
    platform: str
    address: str
    title: str
    neighbourhood_id: str | None
    active: bool

    @classmethod
    def from_row(cls, row: Row) -> ChatRecord:
        return cls(
            row["id"], row["platform"], row["address"], row["title"],
            row["neighbourhood_id"], bool(row["active"]),
        )


class ChatRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def upsert_neighbourhood(self, hood_id: str, name: str) -> None:
        await self.database.execute(
            "INSERT INTO neighbourhood (id, name) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            (hood_id, name),
        )

    async def neighbourhoods(self) -> dict[str, str]:
        rows = await self.database.fetch_all("SELECT id, name FROM neighbourhood ORDER BY id")
        return {row["id"]: row["name"] for row in rows}

    async def register(
        self, platform: str, address: str, title: str, now: datetime,
        neighbourhood_id: str | None = None,
    ) -> ChatRecord:
        """Add the chat (or reactivate it); a configured neighbourhood wins over none."""
        async with self.database.transaction() as db:
            await db.execute(
                """
                INSERT INTO chat (platform, address, title, neighbourhood_id, registered_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (platform, address) DO UPDATE SET
                    active = 1,
                    title = CASE WHEN excluded.title != '' THEN excluded.title ELSE chat.title END,
                    neighbourhood_id = COALESCE(excluded.neighbourhood_id, chat.neighbourhood_id)
                """,
                (platform, address, title, neighbourhood_id, to_db(now)),
            )
            async with db.execute(
                "SELECT * FROM chat WHERE platform = ? AND address = ?", (platform, address)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return ChatRecord.from_row(row)

    async def link(self, chat_id: int, neighbourhood_id: str) -> None:
        await self.database.execute(
            "UPDATE chat SET neighbourhood_id = ? WHERE id = ?", (neighbourhood_id, chat_id)
        )

    async def deactivate(self, chat_id: int) -> None:
        await self.database.execute("UPDATE chat SET active = 0 WHERE id = ?", (chat_id,))

    async def get(self, chat_id: int) -> ChatRecord | None:
        row = await self.database.fetch_one("SELECT * FROM chat WHERE id = ?", (chat_id,))
        return ChatRecord.from_row(row) if row else None

    async def find(self, platform: str, address: str) -> ChatRecord | None:
        row = await self.database.fetch_one(
            "SELECT * FROM chat WHERE platform = ? AND address = ?", (platform, address)
        )
        return ChatRecord.from_row(row) if row else None

    async def active_in(self, neighbourhood_ids: list[str]) -> list[ChatRecord]:
        marks = ",".join("?" * len(neighbourhood_ids))
        rows = await self.database.fetch_all(
            f"SELECT * FROM chat WHERE active = 1 AND neighbourhood_id IN ({marks})"
            " ORDER BY neighbourhood_id, platform, id",
            neighbourhood_ids,
        )
        return [ChatRecord.from_row(r) for r in rows]
