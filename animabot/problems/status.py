"""Moving a report's status (chat, CLI, back-office, routing) and telling its reporter.

The reporter hears of each change in their language, privately, on the platform they
reported from (their pseudonym is that platform's), through the outbox: the same
transaction as the change, so a change is never made without its notice queued. An erased
reporter, or one who opted out, is not written to.
"""

from __future__ import annotations

import logging
from datetime import datetime

from ..chat.outgoing import OutgoingMessage
from ..delivery.composer import encode_reply
from ..domain.problem_report import ReportStatus
from ..i18n import Translate, translator
from ..store.database import Database
from ..store.deliveries import DeliveryRepository, NewDelivery
from ..store.problem_reports import ProblemReport, ProblemReportRepository
from ..store.residents import ResidentRepository

log = logging.getLogger(__name__)


def status_name(status: ReportStatus, _: Translate) -> str:
    return {
        ReportStatus.RECEIVED: _("received"),
        ReportStatus.FORWARDED: _("sent to the service in charge"),
        ReportStatus.IN_PROGRESS: _("in progress"),
        ReportStatus.RESOLVED: _("resolved"),
        ReportStatus.NOT_RETAINED: _("not taken forward"),
    }[status]


def change_text(report: ProblemReport, _: Translate) -> str:
    text = _("Your report #{id} is now: {status}.").format(
        id=report.id, status=status_name(report.status, _))
    if report.status is ReportStatus.NOT_RETAINED and report.reason:
        text += "\n" + _("Reason: {reason}").format(reason=report.reason)
    if report.status is ReportStatus.RESOLVED:
        text += "\n" + _("Thank you for reporting it!")
    return text


async def tell_reporter(database: Database, report: ProblemReport, now: datetime,
                        default_language: str) -> bool:
    """Queue the change for the reporter; False when they cannot be reached."""
    if report.pseudonym is None:
        return False
    residents = ResidentRepository(database)
    reporter = await residents.get(report.pseudonym)
    if reporter is None or reporter.opted_out \
            or await residents.address(report.pseudonym) is None:
        return False
    _ = translator(reporter.language or default_language)
    await DeliveryRepository(database).add([NewDelivery(
        dedupe_key=f"notice:report:{report.id}:{report.status.value}", part="notice",
        due_at=now, pseudonym=report.pseudonym,
        payload=encode_reply(OutgoingMessage(change_text(report, _))),
    )])
    return True


async def change_status(
    database: Database, report_id: int, status: ReportStatus, changed_by: str,
    now: datetime, default_language: str, reason: str | None = None,
) -> tuple[ProblemReport, bool]:
    """Move the report (raises :class:`~animabot.errors.ProblemReportError` with the fix)
    and queue its reporter's notice in one transaction; the report and whether they are
    told."""
    async with database.unit():
        report = await ProblemReportRepository(database).change_status(
            report_id, status, changed_by, now, reason)
        told = await tell_reporter(database, report, now, default_language)
    log.info("problem report %d moved to %s", report_id, status.value)
    return report, told
