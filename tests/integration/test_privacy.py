"""Residents' rights end to end on a real database: erasure and retention leave no trace of
the person (every table, every log line, every export), while the aggregates stay true."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from animabot.clock import FakeClock
from animabot.core import Core
from animabot.privacy.retention import purge
from animabot.stats.campaign import campaign_figures
from animabot.stats.export import figures_to_json, to_csv

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..conftest import ScriptedAdapter
from ..helpers import POLL_SCENARIO, People, scenario


async def _every_text_in_the_database(core: Core) -> str:
    tables = await core.database.tables()
    dumped = []
    for table in tables:
        for row in await core.database.fetch_all(f"SELECT * FROM {table}"):
            dumped.append(json.dumps([str(value) for value in tuple(row)]))
    return "\n".join(dumped)


async def _vote_and_remind(core: Core, adapter: ScriptedAdapter, clock: FakeClock,
                           voters: range) -> tuple[str, People]:
    people = People(core, clock)
    for n in voters:
        await core.conversation.handle(people.command(n, "start"))
        await core.conversation.handle(people.press(n, core.signer.sign("c.y")))
        await core.conversation.handle(people.press(n, core.signer.sign("h.centre")))
    started = await core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    worker = core.worker({"simulated": adapter})
    await worker.drain()
    poll = await core.database.fetch_one(
        "SELECT id FROM delivery WHERE step_id = 'envie' AND part = 'send'")
    assert poll is not None
    for n in voters:
        await core.conversation.handle(people.press(n, core.signer.sign(f"v.{poll['id']}.0")))
    clock.advance(timedelta(days=1))
    await worker.drain()
    return started.id, people


async def test_erasure_leaves_no_trace_of_the_person_anywhere(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    campaign, people = await _vote_and_remind(core, adapter, clock, range(1, 8))
    before = figures_to_json(await campaign_figures(core.database, campaign, 5))
    pseudonym = people.pseudonym(3)
    assert pseudonym in await _every_text_in_the_database(core)  # the test can see it
    await core.conversation.handle(people.command(3, "forget"))
    await core.conversation.handle(people.press(3, core.signer.sign("e.y")))
    everything = await _every_text_in_the_database(core)
    assert pseudonym not in everything
    assert "user3" not in everything
    after = figures_to_json(await campaign_figures(core.database, campaign, 5))
    assert after["polls"][0]["respondents"] == before["polls"][0]["respondents"]
    exported = json.dumps(after) + to_csv(after, "campaign")
    for secret in (pseudonym, "user3"):
        assert secret not in exported
        assert secret not in caplog.text


async def test_retention_aggregates_then_deletes_and_the_figures_stay_the_same(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock,
) -> None:
    campaign, people = await _vote_and_remind(core, adapter, clock, range(1, 9))
    before = figures_to_json(await campaign_figures(core.database, campaign, 5))
    report = await purge(core.database, 30, clock.now() + timedelta(days=31))
    assert report.answers_archived == 8
    assert await core.database.fetch_all("SELECT * FROM answer") == []
    after = figures_to_json(await campaign_figures(core.database, campaign, 5))
    assert after["polls"][0]["options"] == before["polls"][0]["options"]
    assert after["polls"][0]["respondents"] == before["polls"][0]["respondents"]
    for n in range(1, 9):  # deliveries no longer point at anyone
        rows = await core.database.fetch_all(
            "SELECT 1 FROM delivery WHERE pseudonym = ?", (people.pseudonym(n),))
        assert rows == []
    again = await purge(core.database, 30, clock.now() + timedelta(days=31))
    assert again.answers_archived == 0  # nothing twice
