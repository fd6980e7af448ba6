"""The hub on the simulated platform: neighbourhoods across platforms, announcements,
two-person approval, and recurring campaigns across the October DST change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from animabot.chat.events import ChatRef, CommandReceived, Sender
from animabot.clock import FakeClock
from animabot.core import Core, open_core
from animabot.errors import CampaignError

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..conftest import ScriptedAdapter, make_settings
from ..helpers import POLL_SCENARIO, scenario


def facilitator(core: Core, clock: FakeClock, name: str, command: str, *args: str,
                event_id: str) -> CommandReceived:
    return CommandReceived(
        event_id, ChatRef("simulated", "", True),
        Sender(core.pseudonymize("simulated", name), "fr", private_address=name,
               is_facilitator=True),
        clock.now(), command=command, args=args)


@pytest.fixture
async def strict(tmp_path: Path, clock: FakeClock) -> Core:  # type: ignore[misc]
    settings = make_settings(tmp_path)
    settings.delivery.approval_above = 1  # two neighbourhoods already need a second pair of eyes
    async with open_core(settings, clock) as core:
        yield core


async def test_an_announcement_reaches_every_chat_of_the_neighbourhoods(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    await core.services.chats.register("simulated", "g-centre-2", "", clock.now(), "centre")
    await core.conversation.handle(facilitator(core, clock, "fanny", "annonce", "centre",
                                               "Marché", "samedi", "<place>", event_id="a1"))
    await core.conversation.handle(facilitator(core, clock, "fanny", "annonce", "centre",
                                               "Marché", "samedi", "<place>", event_id="a1"))
    await core.worker({"simulated": adapter}).drain()
    groups = sorted(t.address for t, m, _ in adapter.sent if not t.private)
    assert groups == ["g-centre", "g-centre-2"]  # once each, the replay did nothing
    assert all(m.text == "Marché samedi <place>" for t, m, _ in adapter.sent if not t.private)
    await core.conversation.handle(facilitator(core, clock, "fanny", "quartiers",
                                               event_id="q1"))
    await core.worker({"simulated": adapter}).drain()
    summary = adapter.sent[-1][1].text
    assert "Centre-ville (centre)" in summary and "Simulated : 2 discussions" in summary


async def test_a_large_campaign_waits_for_a_second_facilitator(
    strict: Core, adapter: ScriptedAdapter, clock: FakeClock
) -> None:
    core = strict
    handle = core.conversation.handle
    await handle(facilitator(core, clock, "fanny", "programmer", "jardin-partage", "centre,gare",
                             event_id="p1"))
    [campaign] = await core.campaigns.campaigns.list()
    assert campaign.status == "pending_approval"
    assert await core.database.fetch_all("SELECT * FROM delivery WHERE campaign_id = ?",
                                         (campaign.id,)) == []
    await handle(facilitator(core, clock, "fanny", "approuver", campaign.id, event_id="p2"))
    assert (await core.campaigns.get(campaign.id)).status == "pending_approval"  # self: refused
    await handle(facilitator(core, clock, "paul", "approuver", campaign.id, event_id="p3"))
    approved = await core.campaigns.get(campaign.id)
    assert approved.status == "scheduled" and approved.approved_by is not None
    await core.worker({"simulated": adapter}).drain()
    texts = [m.text for _, m, _ in adapter.sent]
    assert any("cannot approve" in t or "ne peut pas" in t for t in texts)
    with pytest.raises(CampaignError, match="nothing to approve"):
        await core.campaigns.approve(campaign.id, "cli:someone")


async def test_a_cli_author_cannot_approve_their_own_campaign(strict: Core) -> None:
    started = await strict.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"],
                                           author="cli:anne")
    assert started.pending_approval and started.deliveries == 0
    with pytest.raises(CampaignError, match="cannot approve"):
        await strict.campaigns.approve(started.id, "cli:anne")
    assert (await strict.campaigns.approve(started.id, "cli:bruno")).deliveries > 0


async def test_a_recurring_campaign_keeps_its_local_hour_across_the_october_change(
    tmp_path: Path
) -> None:
    clock = FakeClock(datetime(2026, 10, 12, 12, 0, tzinfo=UTC))
    settings = make_settings(tmp_path, quiet_hours="", closed_days=[])
    async with open_core(settings, clock) as core:
        series = await core.series.create(scenario(POLL_SCENARIO), ["centre"],
                                          "every sunday at 10:00")
        assert series.campaigns == []  # the first Sunday is more than a day away
        planned = []
        for _ in range(20):
            clock.advance(timedelta(days=1))
            planned += await core.series.materialize()
        starts = [(await core.campaigns.get(c.id)).start_at for c in planned]
        assert [s.strftime("%m-%d %H:%M") for s in starts[:3]] == [
            "10-18 08:00", "10-25 09:00", "11-01 09:00"]  # 10:00 in Paris, CEST then CET
        assert len({c.id for c in planned}) == len(planned)  # each its own campaign
        clock.advance_to(datetime(2026, 11, 7, 12, 0, tzinfo=UTC))
        [upcoming] = await core.series.materialize()  # Sunday 8 November, a day ahead
        stopped = await core.series.cancel(series.id)
        assert stopped == 1
        assert (await core.campaigns.get(upcoming.id)).status == "cancelled"
        clock.advance(timedelta(days=14))
        assert await core.series.materialize() == []
