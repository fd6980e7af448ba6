"""Problem reports (signalements) in the real store, SQLite and PostgreSQL: recorded as
``recu``, moved only as the statuses allow, each change in the history, a reason for
``non_retenu``, the reporter unlinked on erasure while the report stays."""

from __future__ import annotations

from datetime import timedelta

import pytest

from animabot.clock import FakeClock
from animabot.core import Core
from animabot.domain.problem_report import ReportStatus
from animabot.errors import ProblemReportError
from animabot.store.problem_reports import NewProblemReport

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)


def _pothole(pseudonym: str = "p-1") -> NewProblemReport:
    return NewProblemReport(pseudonym, "telegram", "centre", "voirie", "Un trou rue Hugo",
                            "photo-1", 48.8566, 2.3522)


async def test_a_report_is_recorded_received_and_moves_to_resolved(
    core: Core, clock: FakeClock,
) -> None:
    reports = core.stores.problem_reports
    report = await reports.add(_pothole(), clock.now())
    assert report.status is ReportStatus.RECEIVED and report.reason is None
    assert (report.latitude, report.longitude, report.photo_ref) == (48.8566, 2.3522, "photo-1")
    for status in (ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS, ReportStatus.RESOLVED):
        clock.advance(timedelta(hours=1))
        report = await reports.change_status(report.id, status, "cli:anne", clock.now())
    assert report.status is ReportStatus.RESOLVED
    assert report.updated_at == clock.now() and report.created_at < report.updated_at
    history = await reports.history(report.id)
    assert [(c.status, c.changed_by) for c in history] == [
        (ReportStatus.RECEIVED, "resident"), (ReportStatus.FORWARDED, "cli:anne"),
        (ReportStatus.IN_PROGRESS, "cli:anne"), (ReportStatus.RESOLVED, "cli:anne")]
    assert [r.id for r in await reports.find(status=ReportStatus.RESOLVED)] == [report.id]
    assert await reports.find(status=ReportStatus.RECEIVED) == []
    assert [r.id for r in await reports.find(category="voirie", neighbourhood_id="centre")] == [
        report.id]


async def test_moves_the_statuses_do_not_allow_are_refused_and_change_nothing(
    core: Core, clock: FakeClock,
) -> None:
    reports = core.stores.problem_reports
    report = await reports.add(_pothole(), clock.now())
    with pytest.raises(ProblemReportError, match="a reason"):
        await reports.change_status(report.id, ReportStatus.NOT_RETAINED, "cli:anne",
                                    clock.now(), reason="  ")
    closed = await reports.change_status(report.id, ReportStatus.NOT_RETAINED, "cli:anne",
                                         clock.now(), reason="Relève du département")
    assert closed.reason == "Relève du département"
    with pytest.raises(ProblemReportError, match="cannot move"):
        await reports.change_status(report.id, ReportStatus.IN_PROGRESS, "cli:anne",
                                    clock.now())
    with pytest.raises(ProblemReportError, match="no problem report #999"):
        await reports.change_status(999, ReportStatus.RESOLVED, "cli:anne", clock.now())
    assert len(await reports.history(report.id)) == 2
    stored = await reports.get(report.id)
    assert stored is not None and stored.status is ReportStatus.NOT_RETAINED


async def test_erasure_unlinks_the_reporter_and_keeps_the_report(
    core: Core, clock: FakeClock,
) -> None:
    residents, reports = core.services.residents, core.stores.problem_reports
    await residents.touch("p-1", "telegram", clock.now(), "centre", "user1")
    report = await reports.add(_pothole("p-1"), clock.now())
    await reports.change_status(report.id, ReportStatus.FORWARDED, "p-9", clock.now())
    assert await reports.held_for("p-1") == 1
    await residents.erase("p-1")
    await residents.erase("p-9")  # a facilitator who moved it
    kept = await reports.get(report.id)
    assert kept is not None and kept.pseudonym is None and kept.text == "Un trou rue Hugo"
    assert [c.changed_by for c in await reports.history(report.id)] == ["resident", "erased"]
    assert await reports.held_for("p-1") == 0
