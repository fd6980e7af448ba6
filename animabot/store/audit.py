"""The audit log (table ``audit``): who did what, when, from where. Rows are only added."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.access import AuditAction
from .database import Database
from .timestamps import from_db, to_db


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str  # an account, an agent, or "cli:<user>" for the command line
    action: str  # an AuditAction
    target: str = ""
    detail: str = ""
    address: str = ""  # the client's IP address, for the web


class AuditRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, entry: AuditEntry) -> None:
        await self.database.execute(
            "INSERT INTO audit (at, actor, action, target, detail, address)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (to_db(entry.at), entry.actor, entry.action, entry.target, entry.detail,
             entry.address),
        )

    async def latest(self, limit: int | None = None, action: str | None = None
                     ) -> list[AuditEntry]:
        """Newest first; every entry when ``limit`` is None."""
        sql = "SELECT at, actor, action, target, detail, address FROM audit"
        params: list[object] = []
        if action is not None:
            sql += " WHERE action = ?"
            params.append(action)
        sql += " ORDER BY at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = await self.database.fetch_all(sql, params)
        return [AuditEntry(from_db(row["at"]), row["actor"], row["action"], row["target"],
                           row["detail"], row["address"]) for row in rows]

    async def record(self, at: datetime, actor: str, action: AuditAction, target: str = "",
                     detail: str = "", address: str = "") -> None:
        """The one way every feature writes to the audit log."""
        await self.add(AuditEntry(at, actor, action.value, target, detail, address))
