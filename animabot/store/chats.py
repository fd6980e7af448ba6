"""Neighbourhoods and the group chats (Telegram groups, Matrix rooms…) linked to them.

The configuration's neighbourhoods and chats are registered by every command that opens
the core. A fingerprint of what was last registered is kept beside them: while the
configuration is the same and no configured chat was changed since (unlinked, deactivated:
both forget the fingerprint), registering again writes nothing and reads one row, however
many chats the configuration lists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from .database import Database, Row, Transaction
from .timestamps import to_db

# The fingerprint's place in the key-value table (not a platform's: the core's own).
_STATE = ("animabot", "configured_chats")
_UPSERT_CHAT = """
    INSERT INTO chat (platform, address, title, neighbourhood_id, registered_at)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (platform, address) DO UPDATE SET
        active = 1,
        title = CASE WHEN excluded.title != '' THEN excluded.title ELSE chat.title END,
        neighbourhood_id = COALESCE(excluded.neighbourhood_id, chat.neighbourhood_id)
"""
_UPSERT_NEIGHBOURHOOD = (
    "INSERT INTO neighbourhood (id, name) VALUES (?, ?)"
    " ON CONFLICT (id) DO UPDATE SET name = excluded.name")


@dataclass(frozen=True)
class ConfiguredChats:
    """What the configuration lists: (id, name) of each neighbourhood and (platform,
    address, title, neighbourhood id) of each chat."""

    neighbourhoods: list[tuple[str, str]]
    chats: list[tuple[str, str, str, str]]

    def fingerprint(self) -> str:
        text = json.dumps([self.neighbourhoods, self.chats], separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


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
        await self.database.execute(_UPSERT_NEIGHBOURHOOD, (hood_id, name))

    async def register_configured(self, configured: ConfiguredChats, now: datetime) -> bool:
        """Add or update the configured neighbourhoods and chats (added, never removed; a
        configured chat is active and in its configured neighbourhood) in one transaction;
        nothing is written when they are already as configured. Returns whether it wrote."""
        fingerprint = configured.fingerprint()
        if await self._fingerprint() == fingerprint:
            return False
        stamp = to_db(now)
        async with self.database.transaction() as db:
            await db.execute_many(_UPSERT_NEIGHBOURHOOD, configured.neighbourhoods)
            await db.execute_many(_UPSERT_CHAT, [(*chat, stamp) for chat in configured.chats])
            await db.execute(
                "INSERT INTO platform_state (platform, key, value) VALUES (?, ?, ?)"
                " ON CONFLICT (platform, key) DO UPDATE SET value = excluded.value",
                (*_STATE, fingerprint))
        return True

    async def holds(self, configured: ConfiguredChats) -> bool:
        """Whether every configured neighbourhood (with its name) and chat is here (read
        only): one row to read when they were registered from this very configuration."""
        if await self._fingerprint() == configured.fingerprint():
            return True
        known = await self.neighbourhoods()
        if any(known.get(hood) != name for hood, name in configured.neighbourhoods):
            return False
        rows = await self.database.fetch_all("SELECT platform, address FROM chat")
        present = {(row["platform"], row["address"]) for row in rows}
        return all((platform, address) in present for platform, address, _, _ in
                   configured.chats)

    async def _fingerprint(self) -> str | None:
        row = await self.database.fetch_one(
            "SELECT value FROM platform_state WHERE platform = ? AND key = ?", _STATE)
        return str(row["value"]) if row else None

    async def _forget_fingerprint(self, db: Transaction) -> None:
        """A configured chat may differ from the configuration now: register it again."""
        await db.execute("DELETE FROM platform_state WHERE platform = ? AND key = ?", _STATE)

    async def neighbourhoods(self) -> dict[str, str]:
        rows = await self.database.fetch_all("SELECT id, name FROM neighbourhood ORDER BY id")
        return {row["id"]: row["name"] for row in rows}

    async def register(
        self, platform: str, address: str, title: str, now: datetime,
        neighbourhood_id: str | None = None,
    ) -> ChatRecord:
        """Add the chat (or reactivate it); a configured neighbourhood wins over none."""
        async with self.database.transaction() as db:
            await db.execute(_UPSERT_CHAT, (platform, address, title, neighbourhood_id,
                                            to_db(now)))
            row = await db.fetch_one(
                "SELECT * FROM chat WHERE platform = ? AND address = ?", (platform, address))
        assert row is not None
        return ChatRecord.from_row(row)

    async def link(self, chat_id: int, neighbourhood_id: str) -> None:
        async with self.database.transaction() as db:
            await db.execute(
                "UPDATE chat SET neighbourhood_id = ? WHERE id = ?", (neighbourhood_id, chat_id))
            await self._forget_fingerprint(db)

    async def deactivate(self, chat_id: int) -> None:
        async with self.database.transaction() as db:
            await db.execute("UPDATE chat SET active = 0 WHERE id = ?", (chat_id,))
            await self._forget_fingerprint(db)

    async def get(self, chat_id: int) -> ChatRecord | None:
        row = await self.database.fetch_one("SELECT * FROM chat WHERE id = ?", (chat_id,))
        return ChatRecord.from_row(row) if row else None

    async def get_many(self, chat_ids: Collection[int]) -> dict[int, ChatRecord]:
        """Several chats in one statement, by id (those that exist)."""
        if not chat_ids:
            return {}
        marks = ",".join("?" * len(chat_ids))
        rows = await self.database.fetch_all(f"SELECT * FROM chat WHERE id IN ({marks})",
                                             tuple(chat_ids))
        return {int(row["id"]): ChatRecord.from_row(row) for row in rows}

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
