"""Routing problem reports to their services against a real SMTP server on 127.0.0.1: a
neighbourhood's own route wins, a relay that refuses for now is tried again later with the
fault recorded (no address in it), a route that keeps failing gives up and waits for a
person, and nothing is ever lost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.email.report_mail import report_mailer
from animabot.clock import FakeClock
from animabot.config.reports import ReportCategory, ReportRoute
from animabot.core import Core
from animabot.domain.problem_report import ReportStatus
from animabot.problems.routing import ReportRouter, pause_after
from animabot.store.problem_reports import NewProblemReport
from tests.support.smtp_server import SmtpServer, smtp_server

CITY, LANDLORD = "voirie@ville.example", "gardien@bailleur.example"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from smtp_server()


@pytest.fixture
def router(core: Core, clock: FakeClock, smtp: SmtpServer) -> ReportRouter:
    settings = core.settings
    settings.reports.categories = [ReportCategory(
        id="voirie", name="Voirie", email=CITY,
        neighbourhoods={"gare": ReportRoute(email=LANDLORD)})]
    settings.reports.route_attempts = 3
    email = settings.email  # type: ignore[attr-defined]
    email.smtp_host, email.smtp_port, email.starttls = "127.0.0.1", smtp.port, False
    email.from_address = "participation@ville.example"
    return ReportRouter(core.stores, settings, clock, b"secret", report_mailer(settings))


def _report(hood: str) -> NewProblemReport:
    return NewProblemReport("p-1", "telegram", hood, "voirie", "Un trou", None, 48.85, 2.35)


async def test_each_neighbourhood_reaches_its_own_service(
    core: Core, clock: FakeClock, smtp: SmtpServer, router: ReportRouter,
) -> None:
    await core.stores.problem_reports.add(_report("centre"), clock.now())
    await core.stores.problem_reports.add(_report("gare"), clock.now())
    assert await router.route_due() == 2
    assert [m["Subject"] for m in smtp.handler.to(CITY)] == ["[Signalement 1] Voirie"]
    assert [m["Subject"] for m in smtp.handler.to(LANDLORD)] == ["[Signalement 2] Voirie"]
    for report_id in (1, 2):
        report = await core.stores.problem_reports.get(report_id)
        assert report is not None and report.status is ReportStatus.FORWARDED


async def test_a_relay_refusing_for_now_is_tried_again_and_a_lasting_fault_gives_up(
    core: Core, clock: FakeClock, smtp: SmtpServer, router: ReportRouter,
) -> None:
    smtp.handler.later[CITY] = 1
    await core.stores.problem_reports.add(_report("centre"), clock.now())
    assert await router.route_due() == 0
    kept = await core.stores.problem_reports.get(1)
    assert kept is not None and kept.status is ReportStatus.RECEIVED
    assert kept.route_error is not None and CITY not in kept.route_error
    assert await router.route_due() == 0  # not before its pause
    clock.advance(pause_after(1))
    assert await router.route_due() == 1
    assert len(smtp.handler.to(CITY)) == 1

    smtp.handler.refused.add(CITY)
    await core.stores.problem_reports.add(_report("centre"), clock.now())
    for attempt in range(1, 4):
        await router.route_due()
        clock.advance(pause_after(attempt) + timedelta(seconds=1))
    stuck = await core.stores.problem_reports.get(2)
    assert stuck is not None and stuck.route_attempts == 3 and stuck.routed_at is None
    assert await core.stores.problem_reports.due_for_routing(clock.now() + timedelta(days=9)
                                                            ) == []
    smtp.handler.refused.clear()
    assert await core.stores.problem_reports.route_again(2, clock.now())
    assert await router.route_due() == 1
