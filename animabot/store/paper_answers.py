"""Answers collected on paper or at a public meeting: counts an agent enters per poll,
neighbourhood and option, with their source and who entered them. They hold no person:
only counts, merged into a poll's tally as the channel ``paper``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .database import Database, Row
from .statistics import StepKey, _in_steps
from .timestamps import from_db, to_db

PAPER = "paper"  # the channel's name in the statistics, beside the platforms


@dataclass(frozen=True)
class NewPaperAnswers:
    campaign_id: str
    step_id: str
    neighbourhood_id: str
    choice: int  # from 0, as ``answer.choices``; residents and agents count from 1
    count: int
    source: str
    entered_by: str
    entered_at: datetime


@dataclass(frozen=True)
class PaperAnswers(NewPaperAnswers):
    id: int

    @classmethod
    def from_row(cls, row: Row) -> PaperAnswers:
        return cls(
            campaign_id=row["campaign_id"], step_id=row["step_id"],
            neighbourhood_id=row["neighbourhood_id"], choice=int(row["choice"]),
            count=int(row["count"]), source=row["source"], entered_by=row["entered_by"],
            entered_at=from_db(row["entered_at"]), id=int(row["id"]),
        )


class PaperAnswerRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, entry: NewPaperAnswers) -> int:
        row = await self.database.fetch_one(
            "INSERT INTO paper_answer (campaign_id, step_id, neighbourhood_id, choice, count,"
            " source, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (entry.campaign_id, entry.step_id, entry.neighbourhood_id, entry.choice,
             entry.count, entry.source, entry.entered_by, to_db(entry.entered_at)),
        )
        assert row is not None
        return int(row["id"])

    async def get(self, entry_id: int) -> PaperAnswers | None:
        row = await self.database.fetch_one(
            "SELECT * FROM paper_answer WHERE id = ?", (entry_id,))
        return PaperAnswers.from_row(row) if row else None

    async def of_campaign(self, campaign_id: str) -> list[PaperAnswers]:
        """Every entry of a campaign, in the order they were entered."""
        rows = await self.database.fetch_all(
            "SELECT * FROM paper_answer WHERE campaign_id = ? ORDER BY id", (campaign_id,))
        return [PaperAnswers.from_row(row) for row in rows]

    async def remove(self, entry_id: int) -> PaperAnswers | None:
        """Delete a wrong entry; the entry as it was, or None when there is none."""
        async with self.database.transaction() as db:
            row = await db.fetch_one("SELECT * FROM paper_answer WHERE id = ?", (entry_id,))
            if row is None:
                return None
            await db.execute("DELETE FROM paper_answer WHERE id = ?", (entry_id,))
        return PaperAnswers.from_row(row)

    async def grouped(self, campaign_id: str, step_id: str) -> list[tuple[str, int, int]]:
        """(neighbourhood, choice, answers) of one poll, summed over entries."""
        rows = await self.database.fetch_all(
            "SELECT neighbourhood_id, choice, SUM(count) AS n FROM paper_answer"
            " WHERE campaign_id = ? AND step_id = ? GROUP BY neighbourhood_id, choice"
            " ORDER BY neighbourhood_id, choice", (campaign_id, step_id))
        return [(row["neighbourhood_id"], int(row["choice"]), int(row["n"])) for row in rows]

    async def grouped_of(
        self, steps: Sequence[StepKey]
    ) -> dict[StepKey, list[tuple[int, int]]]:
        """(choice, answers) per poll, for many polls at once (the overview)."""
        found: dict[StepKey, list[tuple[int, int]]] = {}
        for where, params in _in_steps(steps):
            for row in await self.database.fetch_all(
                    "SELECT campaign_id, step_id, choice, SUM(count) AS n FROM paper_answer"
                    f" WHERE {where} GROUP BY campaign_id, step_id, choice", params):
                found.setdefault((row["campaign_id"], row["step_id"]), []).append(
                    (int(row["choice"]), int(row["n"])))
        return found
