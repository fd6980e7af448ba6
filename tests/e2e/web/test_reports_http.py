"""The back-office's problem reports over HTTP: a facilitator lists its neighbourhood's
reports (never another's), moves one with the form (CSRF, audited, the reporter's notice
queued), is refused on another neighbourhood's report, and downloads the GeoJSON (audited,
no pseudonym)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from animabot.clock import FakeClock
from animabot.config import Settings
from animabot.core import open_core
from animabot.domain.access import AuditAction
from animabot.domain.problem_report import ReportStatus
from animabot.store.problem_reports import NewProblemReport
from animabot.web.app import build_app

from .conftest import Client
from .test_accounts_http import add_accounts, page_csrf, signed_in

REPORTER = "pseudonyme-de-la-personne-qui-signale-0123456789"


@pytest.fixture
async def server(settings: Settings, clock: FakeClock) -> AsyncIterator[TestServer]:
    await add_accounts(settings, clock)
    async with open_core(settings, clock, sends=False) as core:
        await core.services.residents.touch(REPORTER, "telegram", clock.now(), "centre",
                                            "4242")
        for hood, text in (("centre", "Un trou rue Hugo"), ("port", "Lampadaire éteint")):
            await core.stores.problem_reports.add(NewProblemReport(
                REPORTER, "telegram", hood, "voirie", text, None, 48.85, 2.35), clock.now())
    opened = TestServer(build_app(settings, clock))
    async with opened:
        yield opened


@pytest.fixture
async def clients(server: TestServer) -> AsyncIterator[list[Client]]:
    made: list[Client] = []
    yield made
    for client in made:
        await client.close()


async def test_a_facilitator_moves_its_neighbourhoods_report_and_it_is_audited(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    anna = await signed_in(server, clients, "anna")  # a facilitator of the centre
    listing = await (await anna.get("/reports")).text()
    assert "Un trou rue Hugo" in listing and "Lampadaire" not in listing
    assert REPORTER not in listing
    token = await page_csrf(anna, "/reports")
    refused = await anna.post("/reports/1/status", data={"status": "en_cours"},
                              allow_redirects=False)
    assert refused.status == 403  # no CSRF token
    moved = await anna.post("/reports/1/status", data={"status": "en_cours",
                                                       "csrf_token": token},
                            allow_redirects=False)
    assert moved.status == 303 and moved.headers["Location"] == "/reports?done=1"
    other = await anna.post("/reports/2/status", data={"status": "resolu",
                                                       "csrf_token": token},
                            allow_redirects=False)
    assert other.status == 403  # the port's report is not hers
    no_reason = await anna.post("/reports/1/status", data={"status": "non_retenu",
                                                           "csrf_token": token},
                                allow_redirects=False)
    assert no_reason.headers["Location"] == "/reports?error=1"
    exported = await anna.get("/reports.geojson")
    data = json.loads(await exported.text())
    assert [f["id"] for f in data["features"]] == [1]
    assert REPORTER[:12] not in await exported.text()

    async with open_core(settings, clock, sends=False) as core:
        report = await core.stores.problem_reports.get(1)
        assert report is not None and report.status is ReportStatus.IN_PROGRESS
        history = await core.stores.problem_reports.history(1)
        assert history[-1].changed_by == "web:anna"
        entries = await core.stores.audit.latest(10)
        actions = [(e.actor, e.action, e.target) for e in entries]
        assert ("anna", AuditAction.REPORT_STATUS.value, "report 1") in actions
        assert ("anna", AuditAction.EXPORT.value, "signalements.geojson") in actions
        assert await core.stores.deliveries.next_due() is not None  # the reporter's notice
