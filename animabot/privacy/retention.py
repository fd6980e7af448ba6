"""Retention: what is older than ``privacy.retention_days`` is aggregated, then deleted.

Answers become counts per campaign step, platform and neighbourhood (statistics stay true);
the rows that held a pseudonym go. Private deliveries and training progress lose their
pseudonym; processed event ids are forgotten.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..store.database import Database
from ..store.timestamps import to_db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    answers_archived: int
    deliveries_unlinked: int
    completions_unlinked: int
    events_forgotten: int


async def purge(database: Database, retention_days: int, now: datetime) -> PurgeReport:
    """One transaction: a crash leaves either everything or nothing done."""
    cutoff = to_db(now - timedelta(days=retention_days))
    async with database.transaction() as db:
        async with db.execute(
            "SELECT campaign_id, step_id, platform, neighbourhood_id, choices, after_reminder"
            " FROM answer WHERE answered_at < ?", (cutoff,)
        ) as cursor:
            old = list(await cursor.fetchall())
        groups: dict[tuple[str, str, str, str | None], tuple[dict[int, int], int, int]] = {}
        for row in old:
            key = (row["campaign_id"], row["step_id"], row["platform"], row["neighbourhood_id"])
            counts, respondents, after = groups.get(key, ({}, 0, 0))
            for choice in json.loads(row["choices"]):
                counts[choice] = counts.get(choice, 0) + 1
            groups[key] = (counts, respondents + 1, after + int(row["after_reminder"]))
        await db.executemany(
            "INSERT INTO answer_archive (campaign_id, step_id, platform, neighbourhood_id,"
            " counts, respondents, after_reminder, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(*key, json.dumps({str(k): v for k, v in counts.items()}), respondents, after,
              to_db(now)) for key, (counts, respondents, after) in groups.items()],
        )
        await db.execute("DELETE FROM answer WHERE answered_at < ?", (cutoff,))
        unlinked = await db.execute(
            "UPDATE delivery SET pseudonym = NULL, payload = NULL, dedupe_key = 'purged:' || id"
            " WHERE pseudonym IS NOT NULL AND status != 'pending' AND due_at < ?", (cutoff,))
        completions = await db.execute(
            "UPDATE completion SET pseudonym = NULL WHERE pseudonym IS NOT NULL AND started_at < ?",
            (cutoff,))
        events = await db.execute("DELETE FROM inbox WHERE received_at < ?", (cutoff,))
    report = PurgeReport(len(old), unlinked.rowcount, completions.rowcount, events.rowcount)
    if any((report.answers_archived, report.deliveries_unlinked, report.completions_unlinked)):
        log.info("retention (%d days): %d answers aggregated and deleted, %d private deliveries "
                 "and %d training records unlinked, %d event ids forgotten", retention_days,
                 report.answers_archived, report.deliveries_unlinked,
                 report.completions_unlinked, report.events_forgotten)
    return report
