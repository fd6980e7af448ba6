"""Processed platform events: journaled in the same transaction as their effects, so a replay
does nothing and a crash before the commit leaves the event to be handled again."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from .database import Database
from .timestamps import to_db


class InboxStatus(StrEnum):
    HANDLED = "handled"
    FAILED = "failed"  # the handler kept failing: given up, the reason is in the log


class InboxRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def first_time(
        self, platform: str, event_id: str, now: datetime,
        status: InboxStatus = InboxStatus.HANDLED,
    ) -> bool:
        """Record the event; False when it was already recorded (a replay). Call it inside
        the event's unit of work, so that the record commits with the handler's writes."""
        changed = await self.database.execute(
            "INSERT INTO inbox (platform, event_id, received_at, status)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (platform, event_id, to_db(now), status),
        )
        return changed == 1
