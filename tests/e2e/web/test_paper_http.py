"""Answers from paper entered in the back-office, as a browser without JavaScript sends them:
checked as `animabot answers record` checks them (a wrong option comes back with the fix),
counted in the campaign's figures as the « Papier » channel, removable, audited; only a
facilitator of the neighbourhood enters them, an agent never."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from animabot.clock import FakeClock
from animabot.config import Settings
from animabot.core import open_core
from animabot.domain.access import AuditAction
from animabot.scenario.snapshot import scenario_of
from animabot.web.app import build_app

from .conftest import Client, post
from .test_accounts_http import add_accounts, signed_in


@pytest.fixture
async def server(settings: Settings, clock: FakeClock) -> AsyncIterator[TestServer]:
    await add_accounts(settings, clock)
    opened = TestServer(build_app(settings, clock))
    async with opened:
        yield opened


async def _demo_poll(settings: Settings, clock: FakeClock) -> tuple[str, str, str, int]:
    """The demo's campaign, a one-answer poll of it, a neighbourhood it reached, its options."""
    async with open_core(settings, clock, sends=False) as core:
        for record in await core.stores.campaigns.list():
            polls = [p for p in scenario_of(record).polls() if not p.multiple]
            if polls and "centre" in record.targets:
                return record.id, polls[0].id, "centre", len(polls[0].options["fr"])
    raise AssertionError("the demo has no one-answer poll sent to centre")


async def test_paper_answers_are_entered_counted_removed_and_audited(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    campaign, step, hood, options = await _demo_poll(settings, clock)
    anna = await signed_in(server, clients, "anna")  # facilitator of centre
    page = await anna.get(f"/campaigns/{campaign}/paper")
    assert page.status == 200 and 'name="count"' in await page.text()
    entry = {"step": step, "neighbourhood": hood, "option": str(options + 1), "count": "12",
             "source": "réunion du 12/03"}

    status, _, html = await post(anna, f"/campaigns/{campaign}/paper", entry)
    assert status == 422 and 'role="alert"' in html and f"de 1 à {options}" in html, html
    assert 'value="réunion du 12/03"' in html  # what was typed is kept

    status, where, _ = await post(anna, f"/campaigns/{campaign}/paper",
                                  {**entry, "option": "1"})
    assert (status, where) == (303, f"/campaigns/{campaign}/paper?done=recorded")
    async with open_core(settings, clock, sends=False) as core:
        [saved] = await core.stores.paper.of_campaign(campaign)
        assert (saved.count, saved.choice, saved.entered_by) == (12, 0, "anna")
        audit = await core.stores.audit.latest(50)
        assert any(line.action == AuditAction.PAPER_ANSWERS_RECORDED and line.actor == "anna"
                   for line in audit)
    figures = await (await anna.get(f"/campaigns/{campaign}")).text()
    assert "Papier" in figures

    status, where, _ = await post(anna, f"/campaigns/{campaign}/paper/{saved.id}/remove", {})
    assert (status, where) == (303, f"/campaigns/{campaign}/paper?done=removed")
    async with open_core(settings, clock, sends=False) as core:
        assert await core.stores.paper.of_campaign(campaign) == []


async def test_only_a_facilitator_of_the_neighbourhood_enters_paper_answers(
    server: TestServer, clients: list[Client], settings: Settings, clock: FakeClock,
) -> None:
    campaign, step, hood, _ = await _demo_poll(settings, clock)
    entry = {"step": step, "neighbourhood": hood, "option": "1", "count": "3",
             "source": "permanence"}
    agent = await signed_in(server, clients, "agent")
    assert (await agent.get(f"/campaigns/{campaign}/paper")).status == 403
    status, _, _ = await post(agent, f"/campaigns/{campaign}/paper", entry)
    assert status == 403
    paul = await signed_in(server, clients, "paul")  # facilitator of port only
    status, _, _ = await post(paul, f"/campaigns/{campaign}/paper", entry)
    assert status == 403
    async with open_core(settings, clock, sends=False) as core:
        assert await core.stores.paper.of_campaign(campaign) == []
