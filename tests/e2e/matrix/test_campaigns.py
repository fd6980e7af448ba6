"""Campaigns on a real Synapse: a native poll in a room, private polls through direct rooms,
votes cast while the bot was down, a training, a kick, and rate limiting."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from animabot.stats.campaign import campaign_figures
from animabot.store.state import PlatformState

from ...helpers import POLL_SCENARIO, TRAINING_SCENARIO, scenario, until
from ...support.matrix import MatrixUser, Residents, SynapseServer
from .world import MatrixWorld, make_world

NATIVE_POLL = {
    **POLL_SCENARIO,
    "steps": [{**POLL_SCENARIO["steps"][1], "mode": "native", "reminders": []},
              POLL_SCENARIO["steps"][2]],
}
POLL_START = "org.matrix.msc3381.poll.start"


def answer_ids(event: dict[str, Any]) -> list[str]:
    return [a["id"] for a in event["content"][POLL_START]["answers"]]


async def _poll_in(world: MatrixWorld, user: MatrixUser, room_id: str) -> dict[str, Any]:
    return await world.residents.wait_for_event(user, room_id, lambda e: e["type"] == POLL_START)


async def test_a_native_poll_in_a_room_counts_every_shape_and_the_latest_vote(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        people = new_user.many(30, "voter")  # type: ignore[attr-defined]
        for person in people:
            await world.join_room(person)
        started = await world.core.campaigns.start(scenario(NATIVE_POLL), ["centre"])
        await world.worker.drain()
        poll = await _poll_in(world, world.facilitator, world.room)
        ids = answer_ids(poll)
        votes = []
        for index, person in enumerate(people):
            vote = matrix.vote_unstable if index % 2 else matrix.vote_stable
            votes.append(await vote(person, world.room, poll["event_id"], [ids[index % 3]]))
        votes.append(await matrix.vote_unstable(people[0], world.room, poll["event_id"], [ids[2]]))
        await world.handled(*votes)
        world.clock.advance(timedelta(days=2, minutes=1))
        await world.worker.drain()
        ended = await matrix.wait_for_event(
            world.facilitator, world.room,
            lambda e: e["type"] == "org.matrix.msc3381.poll.end")
        assert ended["content"]["m.relates_to"]["event_id"] == poll["event_id"]
        assert "Personnes ayant répondu : 30" in ended["content"]["body"]  # results at the end
        figures = await campaign_figures(world.core.database, started.id, 5)
        assert figures.polls[0].respondents == 30
        assert list(figures.polls[0].answers.cells) == [9, 10, 11]  # voter 0 moved 0 → 2
        results = await world.last_from_bot(world.facilitator, world.room)
        assert "Personnes ayant répondu : 30" in results["content"]["body"]
    finally:
        await world.close()


def _reply(poll_id: str, body: str, thread: bool = False) -> dict[str, Any]:
    """A text reply to the poll as Element sends it: quoted, or in the poll's thread."""
    relates: dict[str, Any] = {"m.in_reply_to": {"event_id": poll_id}}
    if thread:
        relates.update({"rel_type": "m.thread", "event_id": poll_id, "is_falling_back": True})
    else:
        body = f"> <@bot> Un jardin ?\n\n{body}"
    return {"msgtype": "m.text", "body": body, "m.relates_to": relates}


async def test_numbered_replies_to_the_bot_s_room_poll_are_votes_and_nothing_else_is_read(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        people = new_user.many(10, "voter")  # type: ignore[attr-defined]
        for person in people:
            await world.join_room(person)
        started = await world.core.campaigns.start(scenario(NATIVE_POLL), ["centre"])
        await world.worker.drain()
        poll = await _poll_in(world, world.facilitator, world.room)
        ids, poll_id = answer_ids(poll), poll["event_id"]
        send = matrix.send_event
        # Not votes: a number out of range, words, a "2" that replies to nothing.
        await send(people[8], world.room, "m.room.message", _reply(poll_id, "9"))
        await send(people[8], world.room, "m.room.message", _reply(poll_id, "bravo", True))
        await matrix.send_text(people[9], world.room, "2")
        votes = [await matrix.vote_unstable(people[i], world.room, poll_id, [ids[i % 3]])
                 for i in range(5)]
        votes.append(await send(people[5], world.room, "m.room.message", _reply(poll_id, "1")))
        votes.append(await send(people[6], world.room, "m.room.message", _reply(poll_id, "2.")))
        votes.append(await send(people[7], world.room, "m.room.message",
                                _reply(poll_id, "3", thread=True)))
        await world.handled(*votes)  # handled in order: the ignored ones came first
        figures = await campaign_figures(world.core.database, started.id, 1)
        assert figures.polls[0].respondents == 8
        assert list(figures.polls[0].answers.cells) == [3, 3, 2]
        assert [e for e in await world.bot_messages(world.facilitator, world.room)
                if e["type"] == "m.room.message"] == []  # nothing said in the room about it
    finally:
        await world.close()


async def test_private_polls_go_through_direct_rooms_with_reminders(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        alice, bob, carol = new_user("alice"), new_user("bob"), new_user("carol")
        dms = {}
        for person in (alice, bob, carol):
            dms[person.user_id] = await world.onboard(person)
            await world.join_room(person)
        started = await world.core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
        await world.worker.drain()
        room_text = [e["content"]["body"] for e in await world.bot_messages(world.facilitator,
                                                                             world.room)]
        assert any("Un jardin ?" in t and "message direct" in t for t in room_text)
        assert not any(e["type"] == POLL_START
                       for e in await matrix.messages(world.facilitator, world.room))
        poll = await _poll_in(world, alice, dms[alice.user_id])
        await world.handled(await matrix.vote_unstable(alice, dms[alice.user_id],
                                                       poll["event_id"], [answer_ids(poll)[0]]))
        await _poll_in(world, bob, dms[bob.user_id])
        await world.say(bob, dms[bob.user_id], "2")  # a numbered reply
        world.clock.advance(timedelta(days=1))
        await world.worker.drain()
        for person, reminded in ((alice, False), (bob, False), (carol, True)):
            bodies = [e["content"].get("body", "")
                      for e in await world.bot_messages(person, dms[person.user_id])]
            assert any("Rappel" in b for b in bodies) is reminded, person.user_id
        bob_poll = await _poll_in(world, bob, dms[bob.user_id])
        await world.handled(await matrix.vote_stable(bob, dms[bob.user_id], bob_poll["event_id"],
                                                     [answer_ids(bob_poll)[2]]))
        figures = await campaign_figures(world.core.database, started.id, 1)
        assert list(figures.polls[0].answers.cells) == [1, 0, 1]  # bob's latest vote won
    finally:
        await world.close()


async def test_votes_cast_while_the_bot_was_down_are_counted_once(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser], caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.matrix")
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        people = new_user.many(20, "late")  # type: ignore[attr-defined]
        for person in people:
            await world.join_room(person)
        started = await world.core.campaigns.start(scenario(NATIVE_POLL), ["centre"])
        await world.worker.drain()
        poll = await _poll_in(world, world.facilitator, world.room)
        state = PlatformState(world.core.database, "matrix")

        async def synced_past_poll() -> bool:  # the position it saves is after the poll
            return int(await state.get("last_ts") or 0) >= poll["origin_server_ts"]

        await until(synced_past_poll, 20, "the bot to sync past its poll")
        await world.stop_adapter()
        votes = [await matrix.vote_unstable(p, world.room, poll["event_id"],
                                            [answer_ids(poll)[i % 3]])
                 for i, p in enumerate(people)]
        await world.restart_adapter(timeline_limit=5)  # forces a limited timeline: a gap
        await world.handled(*votes)
        await world.stop_adapter()
        await world.restart_adapter()  # a second restart replays nothing twice
        # A vote cast after the restart, the same as before: once it is handled, whatever
        # the restart could have replayed (it comes first) has been handled too.
        await world.handled(await matrix.vote_unstable(
            people[0], world.room, poll["event_id"], [answer_ids(poll)[0]]))
        figures = await campaign_figures(world.core.database, started.id, 5)
        assert figures.polls[0].respondents == 20
        assert "filled a gap" in caplog.text  # the votes came through /messages too
    finally:
        await world.close()


async def test_a_training_in_a_direct_room_with_numbered_replies(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        alice = new_user("alice")
        dm = await world.onboard(alice)
        started = await world.core.campaigns.start(scenario(TRAINING_SCENARIO), ["centre"])
        await world.worker.drain()
        for _ in range(3):  # Commencer → carte 1 → carte 2 → the quiz
            await world.say(alice, dm, "1")
        quiz = await _poll_in(world, alice, dm)
        await world.handled(await matrix.vote_unstable(alice, dm, quiz["event_id"],
                                                       [answer_ids(quiz)[0]]))
        pseudonym = world.core.pseudonymize("matrix", alice.user_id)
        assert await world.core.services.answers.completed(started.id, "compost", pseudonym)
        assert "1/1" in (await world.last_from_bot(alice, dm))["content"]["body"]
    finally:
        await world.close()


async def test_a_kick_mid_campaign_deactivates_the_room_and_tells_facilitators(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        facilitator_dm = await world.dm(world.facilitator)
        await world.say(world.facilitator, facilitator_dm, "!aide")
        await world.core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
        await world.worker.drain()
        await matrix.kick(world.facilitator, world.room, world.bot.user_id, "fin")

        async def inactive() -> bool:
            chat = await world.core.services.chats.find("matrix", world.room)
            return chat is not None and not chat.active

        await until(inactive, 20, "the room to be deactivated")
        await world.worker.drain()
        notice = await world.last_from_bot(world.facilitator, facilitator_dm)
        assert "ne peut plus écrire" in notice["content"]["body"]
        rows = await world.core.database.fetch_all(
            "SELECT status FROM delivery WHERE part = 'close'")
        assert {r["status"] for r in rows} == {"skipped"}
    finally:
        await world.close()


async def test_m_limit_exceeded_is_retried_after_the_delay(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        synapse.override_ratelimit(world.bot.user_id, 1, 1)
        steps = [{"id": f"a{i}", "kind": "announcement", "at": "+0", "text": f"Annonce {i}"}
                 for i in range(4)]
        await world.core.campaigns.start(
            scenario({"id": "rafale", "title": "Rafale", "steps": steps}), ["centre"])
        for _ in range(12):
            await world.worker.drain()
            if await world.worker.deliveries.next_due() is None:
                break
            world.clock.advance(timedelta(seconds=2))
            await asyncio.sleep(1.05)  # the homeserver's own clock must move too
        bodies = [e["content"]["body"] for e in await world.bot_messages(world.facilitator,
                                                                         world.room)]
        assert sorted(b for b in bodies if b.startswith("Annonce")) == [
            f"Annonce {i}" for i in range(4)]
        assert world.worker.stats.retried >= 1 and world.worker.stats.failed == 0
    finally:
        synapse.override_ratelimit(world.bot.user_id, 0, 0)
        await world.close()
