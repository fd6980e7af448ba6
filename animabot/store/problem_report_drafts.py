"""A problem report being told in a private chat, one message at a time (one per resident).

Each message's change is written in the unit of work that journals its event, so a report
made of several messages survives a crash or a handler error like any other inbound event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .database import Database, Row
from .timestamps import from_db, to_db


class DraftStep(StrEnum):
    """What the bot waits for next."""

    CATEGORY = "category"
    TEXT = "text"
    DETAILS = "details"  # a photo and/or a place, then "send"


@dataclass(frozen=True)
class ReportDraft:
    pseudonym: str
    platform: str
    step: DraftStep
    category: str | None = None
    text: str = ""
    photo_ref: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Row) -> ReportDraft:
        return cls(row["pseudonym"], row["platform"], DraftStep(row["step"]), row["category"],
                   row["text"], row["photo_ref"], row["latitude"], row["longitude"],
                   from_db(row["updated_at"]))

    def but(self, **changes: object) -> ReportDraft:
        return replace(self, **changes)  # type: ignore[arg-type]


class ReportDraftRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def get(self, pseudonym: str) -> ReportDraft | None:
        row = await self.database.fetch_one(
            "SELECT * FROM problem_report_draft WHERE pseudonym = ?", (pseudonym,))
        return ReportDraft.from_row(row) if row else None

    async def save(self, draft: ReportDraft, now: datetime) -> None:
        """Write the draft whole (a new one replaces any earlier one of the resident)."""
        await self.database.execute(
            "INSERT INTO problem_report_draft (pseudonym, platform, step, category, text,"
            " photo_ref, latitude, longitude, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (pseudonym) DO UPDATE SET platform = excluded.platform,"
            " step = excluded.step, category = excluded.category, text = excluded.text,"
            " photo_ref = excluded.photo_ref, latitude = excluded.latitude,"
            " longitude = excluded.longitude, updated_at = excluded.updated_at",
            (draft.pseudonym, draft.platform, draft.step.value, draft.category, draft.text,
             draft.photo_ref, draft.latitude, draft.longitude, to_db(now)))

    async def drop(self, pseudonym: str) -> None:
        await self.database.execute(
            "DELETE FROM problem_report_draft WHERE pseudonym = ?", (pseudonym,))

    async def older_than(self, cutoff: datetime) -> list[ReportDraft]:
        """Drafts left unfinished (retention drops them and their photo)."""
        rows = await self.database.fetch_all(
            "SELECT * FROM problem_report_draft WHERE updated_at < ?", (to_db(cutoff),))
        return [ReportDraft.from_row(row) for row in rows]
