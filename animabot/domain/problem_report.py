"""A problem report's status (signalement: a pothole, a broken street light…) and the moves
between them, as facilitators and services speak of them.

``recu`` → ``transmis`` (sent to the service in charge) → ``en_cours`` → ``resolu``, or
``non_retenu`` with a reason, from any open status. A closed report stays closed: a new
problem at the same place is a new report. Standard library only (below the store).
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum


class ReportStatus(StrEnum):
    RECEIVED = "recu"
    FORWARDED = "transmis"
    IN_PROGRESS = "en_cours"
    RESOLVED = "resolu"
    NOT_RETAINED = "non_retenu"


CLOSED = frozenset({ReportStatus.RESOLVED, ReportStatus.NOT_RETAINED})
_NEXT: dict[ReportStatus, frozenset[ReportStatus]] = {
    ReportStatus.RECEIVED: frozenset({ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS,
                                      *CLOSED}),
    ReportStatus.FORWARDED: frozenset({ReportStatus.IN_PROGRESS, *CLOSED}),
    ReportStatus.IN_PROGRESS: CLOSED,
    ReportStatus.RESOLVED: frozenset(),
    ReportStatus.NOT_RETAINED: frozenset(),
}
# What people type (CLI, chat): French with or without accents, or English.
_ALIASES = {
    "received": ReportStatus.RECEIVED, "forwarded": ReportStatus.FORWARDED,
    "sent": ReportStatus.FORWARDED, "in_progress": ReportStatus.IN_PROGRESS,
    "resolved": ReportStatus.RESOLVED, "not_retained": ReportStatus.NOT_RETAINED,
    "rejected": ReportStatus.NOT_RETAINED,
}


def next_statuses(current: ReportStatus) -> frozenset[ReportStatus]:
    """The statuses a report may move to from ``current`` (none once closed)."""
    return _NEXT[current]


def can_move(current: ReportStatus, new: ReportStatus) -> bool:
    return new in _NEXT[current]


def needs_reason(status: ReportStatus) -> bool:
    """A report not retained is always told why: its reporter hears the reason."""
    return status is ReportStatus.NOT_RETAINED


def parse_status(text: str) -> ReportStatus | None:
    """``"résolu"``, ``"en cours"``, ``"non-retenu"``, ``"resolved"`` → the status, or None."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text.strip().lower())
                     if not unicodedata.combining(ch))
    key = "_".join(folded.replace("-", " ").split())
    try:
        return ReportStatus(key)
    except ValueError:
        return _ALIASES.get(key)
