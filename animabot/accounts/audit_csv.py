"""The audit log as CSV, the same for the administrators' download and ``animabot audit``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from ..csv_cells import safe_row
from ..store.audit import AuditEntry

COLUMNS = ("at", "actor", "action", "target", "detail", "address")


def audit_csv_text(entries: Iterable[AuditEntry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow(safe_row([entry.at.isoformat(), entry.actor, entry.action,
                                  entry.target, entry.detail, entry.address]))
    return buffer.getvalue()
