"""A poll's respondents split by platform or by neighbourhood, suppressed as one line whose
total (the respondents, published elsewhere) is shown: a hidden share always has a hidden
complement, so the total minus the other shares never gives it back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..domain.bots import platform_of
from ..store.statistics import Split, StatisticsQueries
from .suppression import Cell, suppress_counts
from .tally import PollTally


@dataclass(frozen=True)
class ShareFigures:
    reach: int | None  # members of this share's chats when the poll was sent
    chats: int
    respondents: Cell
    response_rate: float | None


async def split_poll(
    queries: StatisticsQueries, campaign_id: str, step_id: str, tally: PollTally,
    min_cell: int, by: Split,
) -> dict[str, ShareFigures]:
    reach = await queries.share_reach(campaign_id, step_id, by)
    if by == "platform":  # a commune's own bot (telegram.bourg) is its platform's channel
        merged: dict[str, tuple[int | None, int]] = {}
        for bot, (members, chats) in reach.items():
            had_members, had_chats = merged.get(platform_of(bot), (0, 0))
            merged[platform_of(bot)] = (
                None if members is None or had_members is None else had_members + members,
                had_chats + chats)
        reach = merged
    respondents = tally.by_platform if by == "platform" else tally.by_neighbourhood
    return split_shares(respondents, tally.respondents, reach, min_cell)


def split_shares(
    respondents: Mapping[str, int], total: int, reach: Mapping[str, tuple[int | None, int]],
    min_cell: int,
) -> dict[str, ShareFigures]:
    """Pure: each share's respondents (a channel — a platform or ``paper`` — or a
    neighbourhood) suppressed as one line against ``total``, with its reach when it has
    chats (paper has none)."""
    names = sorted(set(reach) | set(respondents))
    counts = [respondents.get(name, 0) for name in names]
    cells = suppress_counts(counts, min_cell, total=total).cells
    if 0 < total <= len(names):
        # So few answers that every share may hold one (two channels, one answer each): no
        # complement can protect such a line against the respondents, published beside it,
        # and hiding it only then would say so. Decided on the total alone, it is hidden,
        # zeros too, and a share listed only for its answers (paper: no chats) left out.
        names = [name for name in names if name in reach]
        counts = [respondents.get(name, 0) for name in names]
        cells = (None,) * len(names)
    shares = {}
    for name, count, cell in zip(names, counts, cells, strict=True):
        members, chats = reach.get(name, (None, 0))
        rate = round(count / members, 3) if members and cell is not None else None
        shares[name] = ShareFigures(members, chats, cell, rate)
    return shares
