"""Residents (pseudonymous) and the address book (the only way to reach a person)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .database import Database, Row
from .timestamps import maybe_from_db, to_db


@dataclass(frozen=True)
class ResidentRecord:
    pseudonym: str
    platform: str
    language: str | None
    neighbourhood_id: str | None
    consent_at: datetime | None
    opted_out: bool
    tag: str = ""  # random, made with the record: names it in keys, erased with it

    @classmethod
    def from_row(cls, row: Row) -> ResidentRecord:
        return cls(
            row["pseudonym"], row["platform"], row["language"], row["neighbourhood_id"],
            maybe_from_db(row["consent_at"]), bool(row["opted_out"]), row["tag"] or "",
        )


@dataclass(frozen=True)
class Reachable:
    """A resident to write to; ``tag`` names them in delivery keys (random, erased with them)."""

    pseudonym: str
    tag: str


class ResidentRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def touch(
        self, pseudonym: str, platform: str, now: datetime,
        neighbourhood_id: str | None = None, private_address: str | None = None,
    ) -> ResidentRecord:
        """Create the resident on first contact; learn a neighbourhood or address if new."""
        # One trip to SQLite's thread: the upsert returns the row (a press is 1 of 1,000).
        statements: list[tuple[str, Sequence[object]]] = [(
            """
            INSERT INTO resident (pseudonym, platform, neighbourhood_id, first_seen, tag)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (pseudonym) DO UPDATE SET
                neighbourhood_id = COALESCE(resident.neighbourhood_id, excluded.neighbourhood_id)
            RETURNING *
            """,
            (pseudonym, platform, neighbourhood_id, to_db(now), secrets.token_hex(8)))]
        if private_address is not None:
            statements.append((
                # A resident who writes again can be written to again.
                "INSERT INTO address_book (pseudonym, platform, address) VALUES (?, ?, ?)"
                " ON CONFLICT (pseudonym) DO UPDATE SET address = excluded.address,"
                " status = 'active'",
                (pseudonym, platform, private_address)))
        rows = await self.database.write(*statements)
        return ResidentRecord.from_row(rows[0][0])

    async def get(self, pseudonym: str) -> ResidentRecord | None:
        row = await self.database.fetch_one(
            "SELECT * FROM resident WHERE pseudonym = ?", (pseudonym,)
        )
        return ResidentRecord.from_row(row) if row else None

    async def update(
        self, pseudonym: str, *, language: str | None = None,
        neighbourhood_id: str | None = None, consent_at: datetime | None = None,
        opted_out: bool | None = None,
    ) -> None:
        sets, params = [], []
        for column, value in (
            ("language", language), ("neighbourhood_id", neighbourhood_id),
            ("consent_at", to_db(consent_at) if consent_at else None),
            ("opted_out", None if opted_out is None else int(opted_out)),
        ):
            if value is not None:
                sets.append(f"{column} = ?")
                params.append(value)
        if sets:
            await self.database.execute(
                f"UPDATE resident SET {', '.join(sets)} WHERE pseudonym = ?", (*params, pseudonym)
            )

    async def address(self, pseudonym: str) -> str | None:
        """Where to write to the resident privately; none once the address is unreachable
        or unsubscribed (``AddressStatus``)."""
        row = await self.database.fetch_one(
            "SELECT address FROM address_book WHERE pseudonym = ? AND status = 'active'",
            (pseudonym,),
        )
        return row["address"] if row else None

    async def reachable_non_respondents(
        self, neighbourhood_id: str, platform: str, campaign_id: str, step_id: str, table: str
    ) -> list[Reachable]:
        """Residents of the neighbourhood on this platform who consented, did not opt out,
        can be written to privately, and have no row in ``table`` (answer or completion)."""
        assert table in ("answer", "completion")
        done = "completed_at IS NOT NULL" if table == "completion" else "1 = 1"
        rows = await self.database.fetch_all(
            f"""
            SELECT r.pseudonym, r.tag FROM resident r JOIN address_book a USING (pseudonym)
            WHERE r.neighbourhood_id = ? AND r.platform = ? AND r.consent_at IS NOT NULL
              AND r.opted_out = 0 AND a.status = 'active'
              AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.campaign_id = ?
                              AND x.step_id = ? AND x.pseudonym = r.pseudonym AND {done})
            ORDER BY r.pseudonym
            """,
            (neighbourhood_id, platform, campaign_id, step_id),
        )
        return [Reachable(row["pseudonym"], row["tag"]) for row in rows]

    async def erase(self, pseudonym: str) -> None:
        """Delete the person and unlink everything else: aggregates survive, nobody is
        reachable, and no column, key or index keeps the pseudonym or the tag.

        The rows' keys are rewritten (``erased:<id>``, still unique); the freed bytes are
        zeroed (``secure_delete``, set when the database opens) and the write-ahead log,
        which still holds earlier copies of the pages, is checkpointed and truncated."""
        async with self.database.transaction() as db:
            await db.execute("UPDATE answer SET pseudonym = NULL WHERE pseudonym = ?", (pseudonym,))
            await db.execute(
                "UPDATE completion SET pseudonym = NULL WHERE pseudonym = ?", (pseudonym,)
            )
            await db.execute("UPDATE idea SET pseudonym = NULL WHERE pseudonym = ?", (pseudonym,))
            await db.execute(
                "UPDATE idea SET reviewer = NULL WHERE reviewer = ?", (pseudonym,)
            )
            # A problem report is about a street: it stays, nobody is linked to it.
            await db.execute(
                "UPDATE problem_report SET pseudonym = NULL WHERE pseudonym = ?", (pseudonym,)
            )
            await db.execute(
                "UPDATE problem_report_change SET changed_by = 'erased' WHERE changed_by = ?",
                (pseudonym,),
            )
            await db.execute(
                "DELETE FROM problem_report_draft WHERE pseudonym = ?", (pseudonym,)
            )
            for column in ("author", "approved_by"):  # a facilitator who started one
                await db.execute(
                    f"UPDATE campaign SET {column} = 'erased' WHERE {column} = ?", (pseudonym,)
                )
            await db.execute(
                "UPDATE delivery SET pseudonym = NULL, payload = NULL, error = NULL,"
                " dedupe_key = 'erased:' || id,"
                " status = CASE WHEN status = 'pending' THEN 'skipped' ELSE status END"
                " WHERE pseudonym = ?",
                (pseudonym,),
            )
            # An adapter's values about one person end in ":<pseudonym>" (PlatformState).
            await db.execute("DELETE FROM platform_state WHERE key LIKE ?", (f"%:{pseudonym}",))
            await db.execute("DELETE FROM resident WHERE pseudonym = ?", (pseudonym,))
        await self.database.forget_freed_pages()
