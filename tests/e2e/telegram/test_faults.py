"""Telegram faults end to end: a kicked bot, 429 storms, flood control, time-outs, a restart
mid-campaign, unauthorised facilitators, and the token kept out of every log line."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from ...helpers import POLL_SCENARIO, scenario
from ...support.telegram_emulator import BotApiEmulator
from .conftest import FACILITATOR, GROUPS, TelegramWorld, open_world

ANNOUNCEMENT_ONLY = {**POLL_SCENARIO, "steps": POLL_SCENARIO["steps"][:1]}
NATIVE_POLL = {
    **POLL_SCENARIO,
    "steps": [{**POLL_SCENARIO["steps"][1], "mode": "native", "reminders": []}],
}


async def _statuses(world: TelegramWorld) -> dict[str, int]:
    rows = await world.core.database.fetch_all(
        "SELECT status, COUNT(*) AS n FROM delivery WHERE part != 'reply' GROUP BY status")
    return {row["status"]: row["n"] for row in rows}


async def test_a_group_that_kicks_the_bot_is_dropped_and_facilitators_told(
    world: TelegramWorld,
) -> None:
    em, core = world.emulator, world.core
    em.user_sends(FACILITATOR, FACILITATOR, "/start")
    await world.settle()
    await core.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"])
    await world.worker.drain()
    em.remove_bot_from_group(-1003, FACILITATOR)
    await world.settle()
    chat = await core.services.chats.find("telegram", "-1003")
    assert chat is not None and not chat.active
    before = len(em.messages_to(-1003))
    world.clock.advance(timedelta(days=3))
    await world.worker.drain()
    assert len(em.messages_to(-1003)) == before  # nothing more to the lost group
    assert any("Résultats" in t for t in world.texts(-1001))  # the others go on
    assert any("ne peut plus écrire" in t for t in world.texts(FACILITATOR))


async def test_a_send_refused_with_403_deactivates_the_chat(world: TelegramWorld) -> None:
    em = world.emulator
    em.fail_next("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat",
                 chat_id=-1002)
    await world.core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    await world.worker.drain()
    chat = await world.core.services.chats.find("telegram", "-1002")
    assert chat is not None and not chat.active
    assert len(world.texts(-1001)) == 2 and world.texts(-1002) == []


async def test_a_429_storm_holds_back_then_delivers_everything_once(world: TelegramWorld) -> None:
    em = world.emulator
    em.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3, count=4)
    await world.core.campaigns.start(scenario(ANNOUNCEMENT_ONLY), ["centre", "gare"])
    await world.worker.drain()
    assert sum(len(world.texts(c)) for c in (-1001, -1002, -1003)) < 3
    world.clock.advance(timedelta(seconds=2))
    await world.worker.drain()  # retry_after not yet over: nothing resent
    world.clock.advance(timedelta(seconds=2))
    await world.worker.drain()
    world.clock.advance(timedelta(seconds=4))
    await world.worker.drain()
    assert [len(world.texts(c)) for c in (-1001, -1002, -1003)] == [1, 1, 1]
    assert await _statuses(world) == {"sent": 3}


async def test_the_pacer_keeps_a_flood_controlled_server_from_answering_429(
    tmp_path: Path,
) -> None:
    async with BotApiEmulator(flood_control=True, group_per_minute=20) as em:
        em.add_user(FACILITATOR, "Fanny")
        for chat_id in (-1001, -1002, -1003):
            em.add_group(chat_id, "g", [FACILITATOR], admins=[FACILITATOR])
            em.add_bot_to_group(chat_id, FACILITATOR)
        world, manager = await open_world(
            tmp_path, em, per_chat_per_second=1.0, group_per_minute=20.0, global_per_second=30.0)
        try:
            await world.core.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"])
            await world.worker.drain()  # 2 messages per group: the second waits ~1 s
            assert [len(world.texts(c)) for c in (-1001, -1002, -1003)] == [2, 2, 2]
            assert em.flood_429s == 0
        finally:
            await world.adapter.stop()
            await manager.__aexit__(None, None, None)  # type: ignore[attr-defined]


async def test_a_time_out_on_send_poll_is_unknown_and_never_resent(
    tmp_path: Path, emulator: BotApiEmulator,
) -> None:
    world, manager = await open_world(tmp_path, emulator, read_timeout=0.5)
    try:
        emulator.delay_next("sendPoll", 1.5)
        await world.core.campaigns.start(scenario(NATIVE_POLL), ["gare"])
        await world.worker.drain()
        world.clock.advance(timedelta(minutes=30))
        await world.worker.drain()
        polls = [m for m in emulator.messages_to(-1003) if m.poll is not None]
        assert len(polls) == 1  # it did arrive, once
        statuses = await _statuses(world)
        assert statuses.get("unknown") == 1
    finally:
        await world.adapter.stop()
        await manager.__aexit__(None, None, None)  # type: ignore[attr-defined]


async def test_a_native_poll_is_stopped_at_its_deadline_and_its_totals_counted(
    world: TelegramWorld,
) -> None:
    em, core = world.emulator, world.core
    started = await core.campaigns.start(scenario(NATIVE_POLL), ["gare"])
    await world.worker.drain()
    poll = next(m for m in em.messages_to(-1003) if m.poll is not None)
    assert poll.poll is not None and poll.poll["is_anonymous"]
    for user in (3, 6, 9, 12, 15, 18):
        em.user_answers_poll(user, poll.poll["id"], [user % 2])
    await world.settle()
    world.clock.advance(timedelta(days=2, minutes=1))
    await world.worker.drain()
    assert any(c.method == "stopPoll" for c in em.calls)
    from animabot.stats.campaign import campaign_figures

    figures = await campaign_figures(core.database, started.id, 5)
    assert figures.polls[0].respondents == 6


async def test_a_restart_mid_campaign_sends_no_duplicate(
    tmp_path: Path, emulator: BotApiEmulator,
) -> None:
    world, manager = await open_world(tmp_path, emulator)
    emulator.delay_next("sendMessage", 0.3, count=10)
    await world.core.campaigns.start(scenario(POLL_SCENARIO), ["centre", "gare"])
    drain = asyncio.create_task(world.worker.drain())
    await emulator.wait_for(lambda: len(emulator.sent) >= 2, timeout=10)
    drain.cancel()  # the process dies mid-send
    with pytest.raises(asyncio.CancelledError):
        await drain
    await world.adapter.stop()
    await manager.__aexit__(None, None, None)  # type: ignore[attr-defined]

    world, manager = await open_world(tmp_path, emulator)
    try:
        await world.worker.drain()
        sent = [(m.chat_id, m.text) for m in emulator.sent if m.chat_id < 0]
        assert len(sent) == len(set(sent))  # no message twice
        statuses = await _statuses(world)
        # Only the sends in flight when the process died are in doubt (at most one per
        # chat, as two messages to one chat never fly at once): never resent, never lost.
        assert statuses.get("unknown", 0) <= len(GROUPS)
        assert statuses["sent"] + statuses.get("unknown", 0) == 6
    finally:
        await world.adapter.stop()
        await manager.__aexit__(None, None, None)  # type: ignore[attr-defined]


async def test_facilitator_commands_are_refused_to_others_and_work_for_facilitators(
    world: TelegramWorld,
) -> None:
    em, core = world.emulator, world.core
    em.user_sends(7, -1001, "/programmer jardin-partage centre")
    await world.settle()
    assert "réservée aux animateurs" in world.texts(-1001)[-1]
    assert await core.campaigns.campaigns.list() == []

    command = "/programmer jardin-partage centre,gare 2026-12-02 18:00"
    em.user_sends(FACILITATOR, FACILITATOR, command)
    await world.settle()
    assert "programmée" in world.texts(FACILITATOR)[-1]
    [campaign] = await core.campaigns.campaigns.list()
    em.user_sends(FACILITATOR, FACILITATOR, "/campagnes")
    em.user_sends(FACILITATOR, FACILITATOR, f"/stats {campaign.id}")
    em.user_sends(FACILITATOR, FACILITATOR, f"/annuler {campaign.id}")
    await world.settle()
    texts = world.texts(FACILITATOR)
    assert campaign.id in texts[-3] and "Un jardin" in texts[-2] and "annulée" in texts[-1]
    assert "(programmée)" in texts[-3] and "scheduled" not in texts[-3]  # one French wording
    em.user_sends(FACILITATOR, -1002, "/quartier gare")  # a group admin relinks a group
    await world.settle()
    chat = await core.services.chats.find("telegram", "-1002")
    assert chat is not None and chat.neighbourhood_id == "gare"


async def test_the_token_is_in_no_log_line_even_at_debug(
    tmp_path: Path, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    world, manager = await open_world(tmp_path, emulator)
    try:
        emulator.user_sends(1, 1, "/start")
        await world.settle()
        await world.core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
        await world.worker.drain()
    finally:
        await world.adapter.stop()
        await manager.__aexit__(None, None, None)  # type: ignore[attr-defined]
    assert caplog.records, "nothing was logged: the test proves nothing"
    secret = emulator.token.split(":")[1]
    for record in caplog.records:
        assert secret not in record.getMessage(), record.name


async def test_a_group_admin_acts_only_on_the_groups_own_neighbourhood(
    world: TelegramWorld,
) -> None:
    em, core = world.emulator, world.core
    em.add_user(950, "Admin du groupe gare")
    em.state.chats[-1003].admins.append(950)
    em.state.chats[-1003].members.add(950)
    em.user_sends(950, -1003, "/programmer jardin-partage centre")  # not this group's
    await world.settle()
    assert "propre quartier" in world.texts(-1003)[-1]
    before = len(world.texts(-1003))
    em.user_sends(950, -1003, "/programmer jardin-partage gare")
    await world.settle()
    # The reply and the campaign's first announcement (due at once) both arrive.
    assert any("programmée" in text for text in world.texts(-1003)[before:])
    assert [c.targets for c in await core.campaigns.campaigns.list()] == [("gare",)]


async def test_an_update_that_cannot_be_read_is_passed_over_not_asked_for_forever(
    world: TelegramWorld, caplog: pytest.LogCaptureFixture
) -> None:
    """A press without its sender cannot be read: logged, confirmed, and the next update
    (a resident's /start) is handled as usual."""
    em = world.emulator
    em.state.push_update("callback_query", {"id": "q-broken", "chat_instance": "1"})
    em.user_sends(7, 7, "/start")
    with caplog.at_level(logging.WARNING, logger="adapters.telegram.adapter"):
        await world.settle()
    assert world.texts(7) and world.texts(7)[0].startswith("Bonjour")
    assert any("could not be read" in r.getMessage() for r in caplog.records)
