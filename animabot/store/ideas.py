"""Residents' ideas awaiting moderation; the author is a pseudonym, NULL once erased."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .database import Database, Row, serialize_on
from .timestamps import from_db, maybe_from_db, to_db

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
STATUSES: tuple[str, ...] = (PENDING, ACCEPTED, REJECTED)


@dataclass(frozen=True)
class IdeaRecord:
    id: int
    pseudonym: str | None
    platform: str
    neighbourhood_id: str | None
    text: str
    status: str
    submitted_at: datetime
    reviewed_at: datetime | None
    reviewer: str | None
    reason: str | None = None  # why moderation refused it, told to its author
    language: str | None = None  # the language its author wrote in (their client's)

    @classmethod
    def from_row(cls, row: Row) -> IdeaRecord:
        return cls(
            row["id"], row["pseudonym"], row["platform"], row["neighbourhood_id"], row["text"],
            row["status"], from_db(row["submitted_at"]), maybe_from_db(row["reviewed_at"]),
            row["reviewer"], row["reason"], row["language"],
        )


class IdeaRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add_within_limit(
        self, pseudonym: str, platform: str, neighbourhood_id: str | None, text: str,
        now: datetime, since: datetime, limit: int, language: str | None = None,
    ) -> int | None:
        """Store a pending idea unless its author already sent ``limit`` since ``since``.

        Counting and inserting share one transaction, serialised per author across processes,
        so two quick messages cannot both slip under the limit. Returns the new id, or None
        when the limit is reached."""
        async with self.database.transaction() as db:
            await serialize_on(db, f"idea:{pseudonym}")  # several workers: one count at a time
            row = await db.fetch_one(
                "SELECT COUNT(*) FROM idea WHERE pseudonym = ? AND submitted_at > ?",
                (pseudonym, to_db(since)),
            )
            if row is not None and int(row[0]) >= limit:
                return None
            added = await db.fetch_one(
                "INSERT INTO idea (pseudonym, platform, neighbourhood_id, text, submitted_at,"
                " language) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (pseudonym, platform, neighbourhood_id, text, to_db(now), language),
            )
        assert added is not None
        return int(added["id"])

    async def submitted_since(self, pseudonym: str, since: datetime) -> list[datetime]:
        """When this author's recent ideas arrived, oldest first (to say when to retry)."""
        rows = await self.database.fetch_all(
            "SELECT submitted_at FROM idea WHERE pseudonym = ? AND submitted_at > ?"
            " ORDER BY submitted_at",
            (pseudonym, to_db(since)),
        )
        return [from_db(row["submitted_at"]) for row in rows]

    async def get(self, idea_id: int) -> IdeaRecord | None:
        row = await self.database.fetch_one("SELECT * FROM idea WHERE id = ?", (idea_id,))
        return IdeaRecord.from_row(row) if row else None

    async def find(
        self, status: str | None = None, *, limit: int | None = None,
        neighbourhood_id: str | None = None, newest_first: bool = False,
    ) -> list[IdeaRecord]:
        """Ideas with this status (any when None), in order of arrival."""
        where: list[str] = []
        params: list[str] = []
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if neighbourhood_id is not None:
            where.append("neighbourhood_id = ?")
            params.append(neighbourhood_id)
        order = "DESC" if newest_first else "ASC"
        sql = (
            "SELECT * FROM idea" + (f" WHERE {' AND '.join(where)}" if where else "")
            + f" ORDER BY submitted_at {order}, id {order}"
            + ("" if limit is None else f" LIMIT {int(limit)}")
        )
        return [IdeaRecord.from_row(row) for row in await self.database.fetch_all(sql, params)]

    async def counts(self) -> dict[str, int]:
        """How many ideas are in each status (every status present, zero included)."""
        rows = await self.database.fetch_all(
            "SELECT status, COUNT(*) AS n FROM idea GROUP BY status"
        )
        found = {row["status"]: int(row["n"]) for row in rows}
        return {status: found.get(status, 0) for status in STATUSES}

    async def decide(self, idea_id: int, status: str, reviewer: str, now: datetime,
                     reason: str | None = None) -> bool:
        """Accept or reject a pending idea (a refusal with its ``reason``); False if it was
        already decided (or is unknown), so two facilitators pressing at once cannot both
        decide it."""
        assert status in (ACCEPTED, REJECTED)
        changed = await self.database.execute(
            "UPDATE idea SET status = ?, reviewed_at = ?, reviewer = ?, reason = ?"
            " WHERE id = ? AND status = ?",
            (status, to_db(now), reviewer, reason, idea_id, PENDING),
        )
        return changed == 1
