"""Campaign rows: a scenario snapshot started on some neighbourhoods at some instant."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .database import Database, Row
from .deliveries import NewDelivery, insert_deliveries
from .timestamps import from_db, maybe_from_db, to_db

SCHEDULED, CANCELLED, PENDING_APPROVAL = "scheduled", "cancelled", "pending_approval"


@dataclass(frozen=True)
class CampaignRecord:
    id: str
    scenario_id: str
    title: str
    scenario_json: str
    source: str
    targets: tuple[str, ...]
    start_at: datetime
    status: str
    created_at: datetime
    cancelled_at: datetime | None
    author: str | None = None  # who started it: "cli:NAME" or a facilitator's pseudonym
    approved_by: str | None = None
    series_id: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> CampaignRecord:
        return cls(
            id=row["id"],
            scenario_id=row["scenario_id"],
            title=row["title"],
            scenario_json=row["scenario_json"],
            source=row["source"],
            targets=tuple(json.loads(row["targets"])),
            start_at=from_db(row["start_at"]),
            status=row["status"],
            created_at=from_db(row["created_at"]),
            cancelled_at=maybe_from_db(row["cancelled_at"]),
            author=row["author"],
            approved_by=row["approved_by"],
            series_id=row["series_id"],
        )


INSERT_CAMPAIGN = """
    INSERT INTO campaign (id, scenario_id, title, scenario_json, source, targets, start_at,
                          status, created_at, author, series_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def campaign_values(record: CampaignRecord) -> tuple[object, ...]:
    return (
        record.id, record.scenario_id, record.title, record.scenario_json, record.source,
        json.dumps(list(record.targets)), to_db(record.start_at), record.status,
        to_db(record.created_at), record.author, record.series_id,
    )


class CampaignRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def get(self, campaign_id: str) -> CampaignRecord | None:
        row = await self.database.fetch_one("SELECT * FROM campaign WHERE id = ?", (campaign_id,))
        return CampaignRecord.from_row(row) if row else None

    async def list(self) -> list[CampaignRecord]:
        rows = await self.database.fetch_all("SELECT * FROM campaign ORDER BY start_at, id")
        return [CampaignRecord.from_row(r) for r in rows]

    async def add(self, record: CampaignRecord, rows: Sequence[NewDelivery]) -> None:
        """The campaign and all its planned rows, in one transaction."""
        async with self.database.transaction() as db:
            await db.execute(INSERT_CAMPAIGN, campaign_values(record))
            await insert_deliveries(db, rows)

    async def approve(self, campaign_id: str, approver: str, now: datetime,
                      rows: Sequence[NewDelivery]) -> bool:
        """Mark a pending campaign scheduled and add its rows, in one transaction; False
        (nothing written) when it was no longer pending."""
        async with self.database.transaction() as db:
            changed = await db.execute(
                "UPDATE campaign SET status = 'scheduled', approved_by = ?, approved_at = ?"
                " WHERE id = ? AND status = 'pending_approval'",
                (approver, to_db(now), campaign_id))
            if changed != 1:
                return False
            await insert_deliveries(db, rows)
        return True

    async def cancel(self, campaign_id: str, now: datetime) -> bool:
        """Cancel and skip every pending delivery, in one transaction."""
        async with self.database.transaction() as db:
            changed = await db.execute(
                "UPDATE campaign SET status = 'cancelled', cancelled_at = ?"
                " WHERE id = ? AND status IN ('scheduled', 'pending_approval')",
                (to_db(now), campaign_id),
            )
            await db.execute(
                "UPDATE delivery SET status = 'skipped', error = 'campaign cancelled'"
                " WHERE campaign_id = ? AND status = 'pending'",
                (campaign_id,),
            )
        return changed > 0
