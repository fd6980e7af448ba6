"""Retention's one transaction: old answers become counts, then every row that held a
pseudonym past the cut-off goes or loses it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from .database import Database
from .timestamps import to_db

ArchiveKey = tuple[str, str, str, str | None]  # campaign, step, platform, neighbourhood


@dataclass(frozen=True)
class PurgeCounts:
    answers_archived: int
    deliveries_unlinked: int
    completions_unlinked: int
    events_forgotten: int


class RetentionStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def purge(self, cutoff: datetime, now: datetime) -> PurgeCounts:
        """One transaction: a crash leaves either everything or nothing done."""
        before = to_db(cutoff)
        async with self.database.transaction() as db:
            old = await db.fetch_all(
                "SELECT campaign_id, step_id, platform, neighbourhood_id, choices, after_reminder"
                " FROM answer WHERE answered_at < ?", (before,))
            groups: dict[ArchiveKey, tuple[dict[int, int], int, int]] = {}
            for row in old:
                key = (row["campaign_id"], row["step_id"], row["platform"],
                       row["neighbourhood_id"])
                counts, respondents, after = groups.get(key, ({}, 0, 0))
                for choice in json.loads(row["choices"]):
                    counts[choice] = counts.get(choice, 0) + 1
                groups[key] = (counts, respondents + 1, after + int(row["after_reminder"]))
            await db.execute_many(
                "INSERT INTO answer_archive (campaign_id, step_id, platform, neighbourhood_id,"
                " counts, respondents, after_reminder, archived_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(*key, json.dumps({str(k): v for k, v in counts.items()}), respondents, after,
                  to_db(now)) for key, (counts, respondents, after) in groups.items()],
            )
            await db.execute("DELETE FROM answer WHERE answered_at < ?", (before,))
            unlinked = await db.execute(
                "UPDATE delivery SET pseudonym = NULL, payload = NULL,"
                " dedupe_key = 'purged:' || id"
                " WHERE pseudonym IS NOT NULL AND status != 'pending' AND due_at < ?", (before,))
            completions = await db.execute(
                "UPDATE completion SET pseudonym = NULL"
                " WHERE pseudonym IS NOT NULL AND started_at < ?", (before,))
            events = await db.execute("DELETE FROM inbox WHERE received_at < ?", (before,))
        return PurgeCounts(len(old), unlinked, completions, events)
