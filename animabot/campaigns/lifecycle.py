"""A campaign's status as people speak of it, from its record and its deliveries:
``pending_approval`` → ``scheduled`` (nothing sent yet) → ``running`` → ``done``, or
``cancelled``. Derived, never stored: the deliveries are the truth."""

from __future__ import annotations

from datetime import datetime

from ..store.campaigns import CampaignRecord

WAITING = ("pending", "claimed", "sending")


def lifecycle(record: CampaignRecord, counts: dict[str, int], now: datetime) -> str:
    if record.status in ("cancelled", "pending_approval"):
        return record.status
    waiting = sum(counts.get(status, 0) for status in WAITING)
    handled = sum(count for status, count in counts.items() if status not in WAITING)
    if waiting and (handled or record.start_at <= now):
        return "running"
    if waiting:
        return "scheduled"
    return "done" if handled else "scheduled"
