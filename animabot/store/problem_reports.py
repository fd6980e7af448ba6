"""Problem reports (signalements) and the history of their status.

A status moves only as :mod:`animabot.domain.problem_report` allows, checked and written in
one transaction with its history row, so that two facilitators changing the same report at
once never both win: the second finds the status moved and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.problem_report import ReportStatus, can_move, needs_reason, next_statuses
from ..errors import ProblemReportError
from ..i18n.lazy import lazy as _
from .database import Database, Row
from .timestamps import from_db, to_db


@dataclass(frozen=True)
class NewProblemReport:
    """What a resident reported: a category, a text, a photo and/or a place."""

    pseudonym: str
    platform: str
    neighbourhood_id: str | None
    category: str
    text: str = ""
    photo_ref: str | None = None  # a photo stored apart, its metadata already stripped
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class ProblemReport:
    id: int
    pseudonym: str | None  # None once the reporter is erased; never exported
    platform: str
    neighbourhood_id: str | None
    category: str
    text: str
    photo_ref: str | None
    latitude: float | None
    longitude: float | None
    status: ReportStatus
    reason: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> ProblemReport:
        return cls(
            id=int(row["id"]), pseudonym=row["pseudonym"], platform=row["platform"],
            neighbourhood_id=row["neighbourhood_id"], category=row["category"],
            text=row["text"], photo_ref=row["photo_ref"], latitude=row["latitude"],
            longitude=row["longitude"], status=ReportStatus(row["status"]),
            reason=row["reason"], created_at=from_db(row["created_at"]),
            updated_at=from_db(row["updated_at"]),
        )


@dataclass(frozen=True)
class StatusChange:
    status: ReportStatus
    reason: str | None
    changed_by: str  # "resident" for the report itself, else who moved it (e.g. "cli:anne")
    changed_at: datetime


REPORTER = "resident"


class ProblemReportRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, report: NewProblemReport, now: datetime) -> ProblemReport:
        """Record a new report as ``recu``, with the first line of its history."""
        stamp = to_db(now)
        async with self.database.transaction() as db:
            row = await db.fetch_one(
                "INSERT INTO problem_report (pseudonym, platform, neighbourhood_id, category,"
                " text, photo_ref, latitude, longitude, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (report.pseudonym, report.platform, report.neighbourhood_id, report.category,
                 report.text, report.photo_ref, report.latitude, report.longitude,
                 ReportStatus.RECEIVED.value, stamp, stamp))
            assert row is not None
            await db.execute(
                "INSERT INTO problem_report_change (report_id, status, changed_by, changed_at)"
                " VALUES (?, ?, ?, ?)",
                (row["id"], ReportStatus.RECEIVED.value, REPORTER, stamp),
            )
        return ProblemReport.from_row(row)

    async def get(self, report_id: int) -> ProblemReport | None:
        row = await self.database.fetch_one(
            "SELECT * FROM problem_report WHERE id = ?", (report_id,))
        return ProblemReport.from_row(row) if row else None

    async def find(
        self, *, status: ReportStatus | None = None, category: str | None = None,
        neighbourhood_id: str | None = None,
    ) -> list[ProblemReport]:
        """Reports, oldest first, optionally of one status, category or neighbourhood."""
        sql, params = "SELECT * FROM problem_report WHERE 1 = 1", list[object]()
        for column, value in (("status", status.value if status else None),
                              ("category", category), ("neighbourhood_id", neighbourhood_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        rows = await self.database.fetch_all(sql + " ORDER BY created_at, id", params)
        return [ProblemReport.from_row(row) for row in rows]

    async def change_status(
        self, report_id: int, new: ReportStatus, changed_by: str, now: datetime,
        reason: str | None = None,
    ) -> ProblemReport:
        """Move a report to ``new``; raise :class:`ProblemReportError` (unknown report, a
        move the statuses do not allow, ``non_retenu`` without a reason) with the fix."""
        reason = (reason or "").strip() or None
        if needs_reason(new) and reason is None:
            raise ProblemReportError(_(
                "a report not retained needs a reason: its reporter is told why"
                " (--reason \"…\")"))
        async with self.database.transaction() as db:
            found = await db.fetch_one(
                "SELECT status FROM problem_report WHERE id = ?", (report_id,))
            if found is None:
                raise ProblemReportError(_("no problem report #{id}", id=report_id))
            current = ReportStatus(found["status"])
            if not can_move(current, new):
                allowed = ", ".join(sorted(next_statuses(current))) or _("none: it is closed")
                raise ProblemReportError(_(
                    "report #{id} is {current}: it cannot move to {new} (possible: {allowed})",
                    id=report_id, current=current.value, new=new.value, allowed=allowed))
            row = await db.fetch_one(
                "UPDATE problem_report SET status = ?, reason = ?, updated_at = ?"
                " WHERE id = ? AND status = ? RETURNING *",
                (new.value, reason, to_db(now), report_id, current.value))
            assert row is not None  # the transaction holds the row since the read
            await db.execute(
                "INSERT INTO problem_report_change (report_id, status, reason, changed_by,"
                " changed_at) VALUES (?, ?, ?, ?, ?)",
                (report_id, new.value, reason, changed_by, to_db(now)),
            )
        return ProblemReport.from_row(row)

    async def history(self, report_id: int) -> list[StatusChange]:
        rows = await self.database.fetch_all(
            "SELECT status, reason, changed_by, changed_at FROM problem_report_change"
            " WHERE report_id = ? ORDER BY changed_at, id", (report_id,))
        return [StatusChange(ReportStatus(r["status"]), r["reason"], r["changed_by"],
                             from_db(r["changed_at"])) for r in rows]

    async def held_for(self, pseudonym: str) -> int:
        """How many reports are linked to one resident (what /mesdonnees can say)."""
        row = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM problem_report WHERE pseudonym = ?", (pseudonym,))
        return int(row["n"]) if row else 0
