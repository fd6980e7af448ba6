"""Totals of anonymous native polls, as reported by the platform (no voter is known)."""

from __future__ import annotations

import json
from datetime import datetime

from .database import Database
from .timestamps import to_db


class PollTallyRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def record(
        self, poll_ref: str, counts: tuple[int, ...], voters: int, now: datetime
    ) -> None:
        """Keep the latest totals: the platform always sends the whole tally."""
        await self.database.execute(
            "INSERT INTO poll_tally (poll_ref, counts, voters, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (poll_ref) DO UPDATE SET counts = excluded.counts,"
            " voters = excluded.voters, updated_at = excluded.updated_at"
            # Two workers may record one poll's tally: an older one never replaces a newer.
            " WHERE excluded.updated_at >= poll_tally.updated_at",
            (poll_ref, json.dumps(list(counts)), voters, to_db(now)),
        )

    async def for_step(
        self, campaign_id: str, step_id: str
    ) -> list[tuple[str, str | None, tuple[int, ...], int]]:
        """(platform, neighbourhood, counts, voters) of every native poll sent for this step."""
        rows = await self.database.fetch_all(
            "SELECT c.platform, c.neighbourhood_id, t.counts, t.voters FROM poll_tally t"
            " JOIN delivery d ON d.poll_ref = t.poll_ref JOIN chat c ON c.id = d.chat_id"
            " WHERE d.campaign_id = ? AND d.step_id = ? AND d.part = 'send'",
            (campaign_id, step_id),
        )
        return [(r["platform"], r["neighbourhood_id"], tuple(json.loads(r["counts"])),
                 int(r["voters"])) for r in rows]
