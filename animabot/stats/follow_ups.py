"""A follow-up's progress as a facilitator sees it: how many chosen residents were written
to, could not be reached privately, are still waiting or failed, suppressed as one line.

Each figure counts residents who chose given options of a poll: a small one could point at
a neighbour, and "chosen minus sent" could give a hidden one back, so the line is
suppressed with complements like any published line (:mod:`animabot.stats.suppression`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..scenario.model import Announcement, Scenario
from ..scenario.timeline import AUDIENCE
from ..store.stores import Stores
from .suppression import Cell, suppress_counts

WAITING = ("pending", "claimed", "sending")


@dataclass(frozen=True)
class FollowUpProgress:
    sent: Cell
    unreachable: Cell  # chosen, but no consent, no private chat with the bot, or /stop
    waiting: Cell
    failed: Cell  # failed, or uncertain (may have been delivered)

    def as_json(self) -> dict[str, dict[str, object]]:
        return {name: {"value": value, "suppressed": value is None}
                for name, value in (("sent", self.sent), ("unreachable", self.unreachable),
                                    ("waiting", self.waiting), ("failed", self.failed))}


async def follow_up_progress(
    stores: Stores, campaign_id: str, scenario: Scenario, min_cell: int
) -> dict[str, FollowUpProgress]:
    """Per follow-up step aimed by answer, its suppressed progress (empty before it is due)."""
    progress = {}
    for step in scenario.steps:
        if not isinstance(step, Announcement) or step.audience is None:
            continue
        rows = await stores.deliveries.private_counts(campaign_id, step.id, AUDIENCE)
        line = [rows.get("sent", 0), rows.get("skipped", 0),
                sum(rows.get(status, 0) for status in WAITING),
                rows.get("failed", 0) + rows.get("unknown", 0)]
        cells = suppress_counts(line, min_cell).cells
        progress[step.id] = FollowUpProgress(*cells)
    return progress
