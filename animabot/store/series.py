"""Recurring series: a scenario snapshot, its targets, its rule and its next occurrence."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from .database import Database
from .timestamps import maybe_from_db, to_db

ACTIVE, CANCELLED = "active", "cancelled"


@dataclass(frozen=True)
class SeriesRecord:
    id: str
    scenario_json: str
    source: str
    targets: list[str]
    rule: str  # as the facilitator wrote it
    next_at: datetime | None
    author: str | None


class SeriesRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, series_id: str, scenario_json: str, source: str, targets: list[str],
                  rule: str, first: datetime, author: str | None, now: datetime) -> None:
        await self.database.execute(
            "INSERT INTO series (id, scenario_json, source, targets, rule, next_at, status,"
            " author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (series_id, scenario_json, source, json.dumps(targets), rule, to_db(first),
             ACTIVE, author, to_db(now)))

    async def active(self, series_id: str) -> SeriesRecord | None:
        row = await self.database.fetch_one(
            "SELECT * FROM series WHERE id = ? AND status = ?", (series_id, ACTIVE))
        if row is None:
            return None
        return SeriesRecord(row["id"], row["scenario_json"], row["source"],
                            list(json.loads(row["targets"])), row["rule"],
                            maybe_from_db(row["next_at"]), row["author"])

    async def next_at(self, series_id: str) -> datetime | None:
        row = await self.database.fetch_one("SELECT next_at FROM series WHERE id = ?",
                                            (series_id,))
        return maybe_from_db(row["next_at"]) if row else None

    async def due(self, until: datetime) -> list[str]:
        """Active series whose next occurrence starts before ``until``."""
        rows = await self.database.fetch_all(
            "SELECT id FROM series WHERE status = ? AND next_at <= ?", (ACTIVE, to_db(until)))
        return [row["id"] for row in rows]

    async def advance(self, series_id: str, following: datetime) -> None:
        await self.database.execute("UPDATE series SET next_at = ? WHERE id = ?",
                                    (to_db(following), series_id))

    async def cancel(self, series_id: str) -> bool:
        changed = await self.database.execute(
            "UPDATE series SET status = ? WHERE id = ? AND status = ?",
            (CANCELLED, series_id, ACTIVE))
        return changed > 0

    async def campaigns_not_begun(self, series_id: str, now: datetime) -> list[str]:
        """Its occurrences planned or awaiting approval that start after ``now``."""
        rows = await self.database.fetch_all(
            "SELECT id FROM campaign WHERE series_id = ? AND start_at > ?"
            " AND status IN ('scheduled', 'pending_approval')", (series_id, to_db(now)))
        return [row["id"] for row in rows]
