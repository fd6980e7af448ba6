"""Problem reports (signalements) and the history of their status.

A status moves only as :mod:`animabot.domain.problem_report` allows, checked and written in
one transaction with its history row, so that two facilitators changing the same report at
once never both win: the second finds the status moved and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.problem_report import (
    CLOSED,
    ReportStatus,
    can_move,
    needs_reason,
    next_statuses,
)
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
    routed_at: datetime | None = None
    route_attempts: int = 0
    route_error: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> ProblemReport:
        return cls(
            id=int(row["id"]), pseudonym=row["pseudonym"], platform=row["platform"],
            neighbourhood_id=row["neighbourhood_id"], category=row["category"],
            text=row["text"], photo_ref=row["photo_ref"], latitude=row["latitude"],
            longitude=row["longitude"], status=ReportStatus(row["status"]),
            reason=row["reason"], created_at=from_db(row["created_at"]),
            updated_at=from_db(row["updated_at"]),
            routed_at=from_db(row["routed_at"]) if row["routed_at"] else None,
            route_attempts=int(row["route_attempts"] or 0), route_error=row["route_error"],
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
                " text, photo_ref, latitude, longitude, status, created_at, updated_at,"
                " route_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (report.pseudonym, report.platform, report.neighbourhood_id, report.category,
                 report.text, report.photo_ref, report.latitude, report.longitude,
                 ReportStatus.RECEIVED.value, stamp, stamp, stamp))
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
            # A report closed before its service had it (a duplicate, say) is not sent.
            row = await db.fetch_one(
                "UPDATE problem_report SET status = ?, reason = ?, updated_at = ?,"
                " route_due_at = CASE WHEN ? = 1 THEN NULL ELSE route_due_at END"
                " WHERE id = ? AND status = ? RETURNING *",
                (new.value, reason, to_db(now), int(new in CLOSED), report_id,
                 current.value))
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

    async def latest_of(self, pseudonym: str) -> ProblemReport | None:
        """The resident's last report (a web form sent twice is answered with it)."""
        row = await self.database.fetch_one(
            "SELECT * FROM problem_report WHERE pseudonym = ? ORDER BY id DESC LIMIT 1",
            (pseudonym,))
        return ProblemReport.from_row(row) if row else None

    async def held_for(self, pseudonym: str) -> int:
        """How many reports are linked to one resident (what /mesdonnees can say)."""
        row = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM problem_report WHERE pseudonym = ?", (pseudonym,))
        return int(row["n"]) if row else 0

    # Routing: a report goes to its service once; a failure is kept and tried again later.

    async def due_for_routing(self, now: datetime, limit: int = 20) -> list[ProblemReport]:
        """Reports not yet with their service whose next try has come, oldest first."""
        rows = await self.database.fetch_all(
            "SELECT * FROM problem_report WHERE route_due_at IS NOT NULL AND route_due_at <= ?"
            " ORDER BY route_due_at, id LIMIT ?", (to_db(now), limit))
        return [ProblemReport.from_row(row) for row in rows]

    async def routed(self, report_id: int, changed_by: str, now: datetime) -> ProblemReport:
        """The service has it: no more tries, and a ``recu`` report becomes ``transmis``
        (with its history line) in the same transaction."""
        async with self.database.transaction() as db:
            row = await db.fetch_one(
                "UPDATE problem_report SET routed_at = ?, route_due_at = NULL,"
                " route_error = NULL, route_attempts = route_attempts + 1 WHERE id = ?"
                " RETURNING status", (to_db(now), report_id))
            if row is None:
                raise ProblemReportError(_("no problem report #{id}", id=report_id))
            if row["status"] == ReportStatus.RECEIVED.value:
                await db.execute(
                    "UPDATE problem_report SET status = ?, updated_at = ? WHERE id = ?",
                    (ReportStatus.FORWARDED.value, to_db(now), report_id))
                await db.execute(
                    "INSERT INTO problem_report_change (report_id, status, changed_by,"
                    " changed_at) VALUES (?, ?, ?, ?)",
                    (report_id, ReportStatus.FORWARDED.value, changed_by, to_db(now)))
        found = await self.get(report_id)
        assert found is not None
        return found

    async def routing_failed(self, report_id: int, error: str, retry_at: datetime | None
                             ) -> None:
        """Keep the fault and when to try again (None: tried enough, a person must look)."""
        await self.database.execute(
            "UPDATE problem_report SET route_attempts = route_attempts + 1, route_error = ?,"
            " route_due_at = ? WHERE id = ?",
            (error[:500], to_db(retry_at) if retry_at else None, report_id))

    async def route_again(self, report_id: int, now: datetime) -> bool:
        """Put a report whose routing gave up back in the queue (after fixing the route)."""
        return await self.database.execute(
            "UPDATE problem_report SET route_due_at = ?, route_attempts = 0"
            " WHERE id = ? AND routed_at IS NULL", (to_db(now), report_id)) > 0

    # Retention: texts and photos of old closed reports go, the figures stay.

    async def old_closed(self, cutoff: datetime) -> list[ProblemReport]:
        """Closed reports last changed before ``cutoff`` that still hold a text or photo."""
        rows = await self.database.fetch_all(
            "SELECT * FROM problem_report WHERE status IN (?, ?) AND updated_at < ?"
            " AND (text != '' OR photo_ref IS NOT NULL)",
            (ReportStatus.RESOLVED.value, ReportStatus.NOT_RETAINED.value, to_db(cutoff)))
        return [ProblemReport.from_row(row) for row in rows]

    async def forget_content(self, report_id: int) -> None:
        """Drop a report's text and photo reference (the photo file goes apart)."""
        await self.database.execute(
            "UPDATE problem_report SET text = '', photo_ref = NULL, pseudonym = NULL"
            " WHERE id = ?", (report_id,))

    async def photo_refs(self) -> set[str]:
        """Every photo a report or a draft still names (stray files are deleted)."""
        rows = await self.database.fetch_all(
            "SELECT photo_ref FROM problem_report WHERE photo_ref IS NOT NULL"
            " UNION SELECT photo_ref FROM problem_report_draft WHERE photo_ref IS NOT NULL")
        return {row["photo_ref"] for row in rows}
