"""Small values an adapter keeps between runs: Telegram's update offset, Matrix's sync token.

An adapter saves its position only after the events before it are journaled in the inbox, so
a crash replays (and the inbox drops) rather than loses.
"""

from __future__ import annotations

from .database import Database


class PlatformState:
    """The key-value store of one platform, handed to its adapter.

    A value about one resident is keyed ``<what>:<pseudonym>`` (never by a platform id or an
    address), so that erasing the resident deletes it with them."""

    def __init__(self, database: Database, platform: str) -> None:
        self.database = database
        self.platform = platform

    async def get(self, key: str) -> str | None:
        row = await self.database.fetch_one(
            "SELECT value FROM platform_state WHERE platform = ? AND key = ?",
            (self.platform, key),
        )
        return str(row["value"]) if row else None

    async def set(self, key: str, value: str) -> None:
        await self.database.execute(
            "INSERT INTO platform_state (platform, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (platform, key) DO UPDATE SET value = excluded.value",
            (self.platform, key, value),
        )
