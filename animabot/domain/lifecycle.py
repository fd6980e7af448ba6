"""A campaign's status as people speak of it, derived in one place for every face (campaign
list and show, the dashboard, the statistics, the report, the chat's ``/campagnes``).

``pending_approval`` → ``scheduled`` (nothing has gone out yet) → ``running`` (something went
out and rows still wait: a poll or training whose close row is pending is still open) →
``finished``; or ``cancelled``. Derived, never stored: the deliveries are the truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class CampaignStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"
    FAILED = "failed"
    EXPANDED = "expanded"


WAITING = frozenset({DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.SENDING})

# The one wording table: every face says the same word for the same status.
WORDING: dict[str, dict[CampaignStatus, str]] = {
    "fr": {
        CampaignStatus.PENDING_APPROVAL: "en attente d'approbation",
        CampaignStatus.SCHEDULED: "programmée",
        CampaignStatus.RUNNING: "en cours",
        CampaignStatus.FINISHED: "terminée",
        CampaignStatus.CANCELLED: "annulée",
    },
    "en": {
        CampaignStatus.PENDING_APPROVAL: "waiting for approval",
        CampaignStatus.SCHEDULED: "scheduled",
        CampaignStatus.RUNNING: "running",
        CampaignStatus.FINISHED: "finished",
        CampaignStatus.CANCELLED: "cancelled",
    },
}


def campaign_status(stored: str, counts: Mapping[str, int]) -> CampaignStatus:
    """The status from the campaign row's stored status and *all* its delivery rows per
    status (private ones included: a reminder still waiting keeps the campaign running)."""
    if stored in (CampaignStatus.CANCELLED, CampaignStatus.PENDING_APPROVAL):
        return CampaignStatus(stored)
    waiting = sum(count for status, count in counts.items() if status in WAITING)
    handled = sum(count for status, count in counts.items() if status not in WAITING)
    if not handled:
        return CampaignStatus.SCHEDULED  # the first message has not gone out
    return CampaignStatus.RUNNING if waiting else CampaignStatus.FINISHED


def _worded(wording: Mapping[str, Mapping[Any, str]], status: str, language: str) -> str:
    """``status`` in ``language`` (French when unknown); a value not in the table as it is."""
    return wording.get(language, wording["fr"]).get(status, status)


def status_label(status: str, language: str = "fr") -> str:
    """The status in the reader's language (French when the language is unknown); a value
    that is not a campaign status is returned as it is."""
    return _worded(WORDING, status, language)


DELIVERY_WORDING: dict[str, dict[DeliveryStatus, str]] = {
    "fr": {
        DeliveryStatus.PENDING: "en attente", DeliveryStatus.CLAIMED: "en cours",
        DeliveryStatus.SENDING: "en cours", DeliveryStatus.SENT: "envoyés",
        DeliveryStatus.SKIPPED: "non envoyés (sautés)", DeliveryStatus.UNKNOWN: "incertains",
        DeliveryStatus.FAILED: "échoués",
        DeliveryStatus.EXPANDED: "relances converties en messages privés",
    },
    "en": {
        DeliveryStatus.PENDING: "waiting", DeliveryStatus.CLAIMED: "in progress",
        DeliveryStatus.SENDING: "in progress", DeliveryStatus.SENT: "sent",
        DeliveryStatus.SKIPPED: "not sent (skipped)", DeliveryStatus.UNKNOWN: "uncertain",
        DeliveryStatus.FAILED: "failed",
        DeliveryStatus.EXPANDED: "reminders turned into private messages",
    },
}


def delivery_label(status: str, language: str = "fr") -> str:
    """A delivery row's status in the reader's language (``skipped`` is "not sent", never
    "cancelled": a skipped row may belong to a running campaign)."""
    return _worded(DELIVERY_WORDING, status, language)
