"""Retention: what is older than ``privacy.retention_days`` is aggregated, then deleted.

Answers become counts per campaign step, platform and neighbourhood (statistics stay true);
the rows that held a pseudonym go. Private deliveries and training progress lose their
pseudonym; processed event ids are forgotten.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ..store.database import Database
from ..store.retention import PurgeCounts
from ..store.stores import Stores, stores_of

log = logging.getLogger(__name__)


PurgeReport = PurgeCounts  # the name callers know


async def purge(source: Database | Stores, retention_days: int, now: datetime) -> PurgeReport:
    """One transaction: a crash leaves either everything or nothing done."""
    report = await stores_of(source).retention.purge(now - timedelta(days=retention_days), now)
    if any((report.answers_archived, report.deliveries_unlinked, report.completions_unlinked)):
        log.info("retention (%d days): %d answers aggregated and deleted, %d private deliveries "
                 "and %d training records unlinked, %d event ids forgotten", retention_days,
                 report.answers_archived, report.deliveries_unlinked,
                 report.completions_unlinked, report.events_forgotten)
    return report
