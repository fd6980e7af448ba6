"""Retention: what is older than ``privacy.retention_days`` is aggregated, then deleted.

Answers become counts per campaign step, platform and neighbourhood (statistics stay true);
the rows that held a pseudonym go. Private deliveries and training progress lose their
pseudonym; processed event ids are forgotten. Problem reports closed for longer than
``[reports] retention_days`` (``[privacy]``'s by default) lose their text, photo and
reporter (category, place, dates and status stay for the figures and the map); a report
left unfinished in a chat goes after a day; a photo no report names any more is deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ..store.database import Database
from ..store.problem_report_drafts import ReportDraftRepository
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


DRAFT_LIFETIME = timedelta(days=1)


@dataclass(frozen=True)
class ReportPurge:
    reports_emptied: int
    drafts_dropped: int
    photos_deleted: int


async def purge_reports(source: Database | Stores, retention_days: int, now: datetime,
                        photos: Path) -> ReportPurge:
    """Texts and photos of old closed reports, unfinished drafts, stray photo files."""
    stores = stores_of(source)
    reports = stores.problem_reports
    old = await reports.old_closed(now - timedelta(days=retention_days))
    for report in old:
        await reports.forget_content(report.id)
    drafts = ReportDraftRepository(stores.database)
    stale = await drafts.older_than(now - DRAFT_LIFETIME)
    for draft in stale:
        await drafts.drop(draft.pseudonym)
    named = await reports.photo_refs()
    deleted = 0
    if photos.is_dir():
        for path in photos.glob("*.jpg"):
            # A photo saved a moment ago may belong to a message still being handled.
            young = path.stat().st_mtime > (now - DRAFT_LIFETIME).timestamp()
            if path.name not in named and not young:
                path.unlink(missing_ok=True)
                deleted += 1
    if old or stale or deleted:
        log.info("retention: %d closed problem reports emptied of their text and photo, %d "
                 "unfinished drafts dropped, %d photo files deleted", len(old), len(stale),
                 deleted)
    return ReportPurge(len(old), len(stale), deleted)
