"""The report's reads: what went out for a campaign, per step and part, and through which
channels — aggregates of the outbox only, never a pseudonym or an address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.addresses import resident_list
from .database import Database
from .timestamps import maybe_from_db


@dataclass(frozen=True)
class PartCounts:
    """One (step, part) of a campaign's outbox; counts of group messages unless named."""

    step_id: str
    part: str
    planned: datetime | None
    first_sent: datetime | None
    last_sent: datetime | None
    messages: int
    chats: int
    people: int  # residents written to in private (to be suppressed by the caller)
    reach: int | None
    skipped: int
    failed: int
    waiting: int


@dataclass(frozen=True)
class ChannelCounts:
    platform: str
    neighbourhood_id: str | None
    chats: int  # groups and rooms; a list of residents reached one by one is no chat
    people: int = 0  # residents written to one by one (e-mail, SMS): the step's first send


class ReportQueries:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def parts(self, campaign_id: str) -> list[PartCounts]:
        """Every (step, part) in the order it was due, a step's send before its other parts."""
        rows = await self.database.fetch_all(
            "SELECT step_id, part, MIN(CASE WHEN pseudonym IS NULL THEN due_at END) AS planned,"
            " MIN(sent_at) AS first_sent, MAX(sent_at) AS last_sent,"
            " SUM(CASE WHEN status = 'sent' AND pseudonym IS NULL THEN 1 ELSE 0 END) AS messages,"
            " COUNT(DISTINCT CASE WHEN status = 'sent' AND pseudonym IS NULL THEN chat_id END)"
            "  AS chats,"
            " COUNT(DISTINCT CASE WHEN status = 'sent' THEN pseudonym END) AS people,"
            " SUM(CASE WHEN status = 'sent' AND pseudonym IS NULL THEN reach END) AS reach,"
            " SUM(CASE WHEN status = 'skipped' AND pseudonym IS NULL THEN 1 ELSE 0 END)"
            "  AS skipped,"
            " SUM(CASE WHEN status IN ('failed', 'unknown') AND pseudonym IS NULL"
            "  THEN 1 ELSE 0 END) AS failed,"
            " SUM(CASE WHEN status IN ('pending', 'claimed', 'sending') AND pseudonym IS NULL"
            "  THEN 1 ELSE 0 END) AS waiting"
            " FROM delivery WHERE campaign_id = ? GROUP BY step_id, part"
            " ORDER BY MIN(due_at), step_id, part <> 'send', part",
            (campaign_id,),
        )
        return [
            PartCounts(
                step_id=str(r["step_id"]), part=str(r["part"]),
                planned=maybe_from_db(r["planned"]), first_sent=maybe_from_db(r["first_sent"]),
                last_sent=maybe_from_db(r["last_sent"]), messages=int(r["messages"]),
                chats=int(r["chats"]), people=int(r["people"]), reach=r["reach"],
                skipped=int(r["skipped"]), failed=int(r["failed"]), waiting=int(r["waiting"]),
            )
            for r in rows
        ]

    async def channels(self, campaign_id: str) -> list[ChannelCounts]:
        """The chats a campaign's group sends were planned for, per platform and
        neighbourhood."""
        rows = await self.database.fetch_all(
            "SELECT c.platform, c.neighbourhood_id AS hood,"
            " COUNT(DISTINCT CASE WHEN c.address NOT LIKE ? THEN c.id END) AS chats,"
            " COUNT(DISTINCT CASE WHEN d.pseudonym IS NOT NULL AND d.status = 'sent'"
            " THEN d.pseudonym END) AS people"
            " FROM delivery d JOIN chat c ON c.id = d.chat_id WHERE d.campaign_id = ?"
            " AND d.part = 'send'"
            " GROUP BY c.platform, c.neighbourhood_id ORDER BY c.platform,"
            " c.neighbourhood_id NULLS FIRST",
            (resident_list("%"), campaign_id),
        )
        return [ChannelCounts(str(r["platform"]), r["hood"], int(r["chats"]), int(r["people"]))
                for r in rows]

    async def sent_count(self, campaign_id: str, step_id: str, part: str) -> int:
        """Rows of one step's part sent so far (the demo's narration)."""
        row = await self.database.fetch_one(
            "SELECT COUNT(*) AS n FROM delivery WHERE campaign_id = ? AND step_id = ?"
            " AND part = ? AND status = 'sent'", (campaign_id, step_id, part))
        return int(row["n"]) if row else 0
