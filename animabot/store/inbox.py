"""Processed platform events: the first durable step of every handler, so replays do nothing."""

from __future__ import annotations

from datetime import datetime

from .database import Database
from .timestamps import to_db


class InboxRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def first_time(self, platform: str, event_id: str, now: datetime) -> bool:
        """Record the event; False when it was already recorded (a replay)."""
        changed = await self.database.execute(
            "INSERT OR IGNORE INTO inbox (platform, event_id, received_at) VALUES (?, ?, ?)",
            (platform, event_id, to_db(now)),
        )
        return changed == 1
