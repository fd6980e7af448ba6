"""Problem reports (signalements) in the real store, SQLite and PostgreSQL: recorded as
``recu``, moved only as the statuses allow, each change in the history, a reason for
``non_retenu``, the reporter unlinked on erasure while the report stays."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from animabot.clock import FakeClock
from animabot.core import Core
from animabot.domain.problem_report import ReportStatus
from animabot.errors import ProblemReportError
from animabot.privacy.retention import purge_reports
from animabot.store.problem_report_drafts import DraftStep, ReportDraft, ReportDraftRepository
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


async def test_a_residents_latest_report_is_theirs_and_the_newest(
    core: Core, clock: FakeClock,
) -> None:
    reports = core.stores.problem_reports
    assert await reports.latest_of("p-1") is None
    first = await reports.add(_pothole("p-1"), clock.now())
    await reports.add(_pothole("p-2"), clock.now())
    assert (await reports.latest_of("p-1")).id == first.id  # type: ignore[union-attr]
    second = await reports.add(_pothole("p-1"), clock.now())
    assert (await reports.latest_of("p-1")).id == second.id  # type: ignore[union-attr]


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


async def test_routing_keeps_a_failure_tries_again_and_forwards_once_sent(
    core: Core, clock: FakeClock,
) -> None:
    reports = core.stores.problem_reports
    report = await reports.add(_pothole(), clock.now())
    assert [r.id for r in await reports.due_for_routing(clock.now())] == [report.id]
    await reports.routing_failed(report.id, "the e-mail relay could not be reached",
                                 clock.now() + timedelta(minutes=1))
    assert await reports.due_for_routing(clock.now()) == []
    clock.advance(timedelta(minutes=2))
    again = await reports.due_for_routing(clock.now())
    assert [(r.id, r.route_attempts, r.route_error) for r in again] == [
        (report.id, 1, "the e-mail relay could not be reached")]
    routed = await reports.routed(report.id, "routing", clock.now())
    assert routed.status is ReportStatus.FORWARDED and routed.routed_at == clock.now()
    assert routed.route_error is None and routed.route_attempts == 2
    assert await reports.due_for_routing(clock.now() + timedelta(days=1)) == []
    assert [c.status for c in await reports.history(report.id)][-1] is ReportStatus.FORWARDED
    assert not await reports.route_again(report.id, clock.now())  # it has it already


async def test_a_routing_that_gave_up_waits_for_a_person(core: Core, clock: FakeClock) -> None:
    reports = core.stores.problem_reports
    report = await reports.add(_pothole(), clock.now())
    await reports.routing_failed(report.id, "the webhook answered HTTP 500", None)
    assert await reports.due_for_routing(clock.now() + timedelta(days=30)) == []
    assert await reports.route_again(report.id, clock.now())
    assert [r.id for r in await reports.due_for_routing(clock.now())] == [report.id]


async def test_a_draft_is_saved_whole_replaced_and_dropped_on_erasure(
    core: Core, clock: FakeClock,
) -> None:
    drafts = ReportDraftRepository(core.database)
    await core.services.residents.touch("p-1", "telegram", clock.now(), "centre", "user1")
    await drafts.save(ReportDraft("p-1", "telegram", DraftStep.CATEGORY), clock.now())
    draft = await drafts.get("p-1")
    assert draft is not None and draft.step is DraftStep.CATEGORY and draft.category is None
    await drafts.save(draft.but(step=DraftStep.DETAILS, category="voirie", text="Un trou",
                                photo_ref="x.jpg", latitude=48.85, longitude=2.35),
                      clock.now())
    saved = await drafts.get("p-1")
    assert saved is not None and (saved.category, saved.text, saved.latitude) == (
        "voirie", "Un trou", 48.85)
    assert await core.stores.problem_reports.photo_refs() == {"x.jpg"}
    assert await drafts.older_than(clock.now() + timedelta(days=2)) == [saved]
    await core.services.residents.erase("p-1")
    assert await drafts.get("p-1") is None


async def test_old_closed_reports_lose_their_text_and_photo_and_keep_their_figures(
    core: Core, clock: FakeClock,
) -> None:
    reports = core.stores.problem_reports
    closed = await reports.add(_pothole(), clock.now())
    still_open = await reports.add(_pothole("p-2"), clock.now())
    await reports.change_status(closed.id, ReportStatus.RESOLVED, "cli:anne", clock.now())
    later = clock.now() + timedelta(days=400)
    assert [r.id for r in await reports.old_closed(later)] == [closed.id]
    await reports.forget_content(closed.id)
    forgotten = await reports.get(closed.id)
    assert forgotten is not None and (forgotten.text, forgotten.photo_ref,
                                      forgotten.pseudonym) == ("", None, None)
    assert forgotten.status is ReportStatus.RESOLVED and forgotten.latitude == 48.8566
    assert await reports.old_closed(later) == []
    assert (await reports.get(still_open.id)) is not None


async def test_retention_empties_old_reports_and_deletes_photos_nothing_names(
    core: Core, clock: FakeClock, tmp_path: Path,
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    purge_at = clock.now() + timedelta(days=31)
    for name in ("kept.jpg", "closed.jpg", "stray.jpg", "fresh.jpg"):
        (photos / name).write_bytes(b"jpeg")
        # a photo of a message still being handled (written a moment ago) is spared
        when = (purge_at if name == "fresh.jpg" else clock.now()).timestamp()
        os.utime(photos / name, (when, when))
    reports = core.stores.problem_reports
    kept = await reports.add(_pothole().__class__(**{**_pothole().__dict__,
                                                     "photo_ref": "kept.jpg"}), clock.now())
    closed = await reports.add(_pothole().__class__(**{**_pothole().__dict__,
                                                       "photo_ref": "closed.jpg"}), clock.now())
    await reports.change_status(closed.id, ReportStatus.RESOLVED, "cli:anne", clock.now())
    await ReportDraftRepository(core.database).save(
        ReportDraft("p-3", "telegram", DraftStep.TEXT), clock.now())
    done = await purge_reports(core.stores, 30, purge_at, photos)
    assert (done.reports_emptied, done.drafts_dropped, done.photos_deleted) == (1, 1, 2)
    assert sorted(p.name for p in photos.iterdir()) == ["fresh.jpg", "kept.jpg"]
    still = await reports.get(kept.id)
    assert still is not None and still.photo_ref == "kept.jpg"


async def test_a_report_closed_before_its_service_had_it_is_not_sent(
    core: Core, clock: FakeClock,
) -> None:
    reports = core.stores.problem_reports
    report = await reports.add(_pothole(), clock.now())
    await reports.change_status(report.id, ReportStatus.NOT_RETAINED, "cli:anne", clock.now(),
                                reason="Doublon du n° 3")
    assert await reports.due_for_routing(clock.now() + timedelta(days=1)) == []
    assert await reports.route_again(report.id, clock.now())  # a person may still send it
