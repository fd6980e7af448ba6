"""A poll's respondents split by platform or by neighbourhood, suppressed as one line whose
total (the respondents, published elsewhere) is shown: a hidden share always has a hidden
complement, so the total minus the other shares never gives it back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..store.database import Database
from .suppression import Cell, suppress_counts
from .tally import PollTally

Split = Literal["platform", "neighbourhood"]
COLUMN: dict[Split, str] = {"platform": "c.platform", "neighbourhood": "c.neighbourhood_id"}


@dataclass(frozen=True)
class ShareFigures:
    reach: int | None  # members of this share's chats when the poll was sent
    chats: int
    respondents: Cell
    response_rate: float | None


async def split_poll(
    database: Database, campaign_id: str, step_id: str, tally: PollTally, min_cell: int,
    by: Split,
) -> dict[str, ShareFigures]:
    column = COLUMN[by]
    rows = await database.fetch_all(
        f"SELECT {column} AS share, SUM(d.reach) AS reach, COUNT(*) AS chats FROM delivery d"
        " JOIN chat c ON c.id = d.chat_id WHERE d.campaign_id = ? AND d.step_id = ?"
        " AND d.part = 'send' AND d.status = 'sent' AND d.pseudonym IS NULL"
        f" GROUP BY {column}",
        (campaign_id, step_id),
    )
    respondents = tally.by_platform if by == "platform" else tally.by_neighbourhood
    reach = {str(row["share"]): (row["reach"], row["chats"]) for row in rows}
    names = sorted(set(reach) | set(respondents))
    counts = [respondents.get(name, 0) for name in names]
    cells = suppress_counts(counts, min_cell, total=tally.respondents).cells
    shares = {}
    for name, count, cell in zip(names, counts, cells, strict=True):
        members, chats = reach.get(name, (None, 0))
        rate = round(count / members, 3) if members and cell is not None else None
        shares[name] = ShareFigures(members, chats, cell, rate)
    return shares
