"""Rooms and residents on a real Synapse: invites, linking, commands, direct rooms."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...support.matrix import MatrixUser, Residents, SynapseServer
from .world import make_world


async def test_invites_links_and_a_resident_onboarding(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        chat = await world.core.services.chats.find("matrix", world.room)
        assert chat is not None and chat.neighbourhood_id == "centre"
        # A facilitator's second room: joined, registered, then linked with !quartier.
        other = await matrix.create_room(world.facilitator, "Gare", invite=[world.bot.user_id])
        await world.bot_in(other, world.facilitator)
        await world.say(world.facilitator, other, "!quartier gare")
        linked = await world.core.services.chats.find("matrix", other)
        assert linked is not None and linked.neighbourhood_id == "gare"
        reply = await world.last_from_bot(world.facilitator, other)
        assert "rattaché" in reply["content"]["body"]
        # A stranger's room invitation is declined.
        stranger = new_user("stranger")
        declined = await matrix.create_room(stranger, "Spam", invite=[world.bot.user_id])
        await matrix.wait_for_event(
            stranger, declined,
            lambda e: e["type"] == "m.room.member" and e.get("state_key") == world.bot.user_id
            and e["content"].get("membership") == "leave",
        )
        assert world.bot.user_id not in await matrix.joined_members(stranger, declined)
        # A resident onboards in a direct room, with numbered replies.
        resident = new_user("alice")
        dm = await world.onboard(resident)
        texts = [e["content"]["body"] for e in await world.bot_messages(resident, dm)]
        assert texts[0].startswith("Bonjour") and any("Quartier choisi" in t for t in texts)
        pseudonym = world.core.pseudonymize("matrix", resident.user_id)
        record = await world.core.services.residents.get(pseudonym)
        assert record is not None and record.consent_at is not None
        assert record.neighbourhood_id == "centre"
        # Unauthorised facilitator commands are refused in the room.
        await world.join_room(resident)
        await world.say(resident, world.room, "!programmer jardin-partage centre")
        assert "réservée aux animateurs" in (await world.last_from_bot(resident, world.room))[
            "content"]["body"]
        assert await world.core.campaigns.campaigns.list() == []
    finally:
        await world.close()


async def test_what_was_said_before_the_bot_joined_is_not_acted_on(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        room = await matrix.create_room(world.facilitator, "Avant")
        await matrix.send_text(world.facilitator, room, "!quartier gare")  # before the bot
        await matrix.invite(world.facilitator, room, world.bot.user_id)
        await world.bot_in(room, world.facilitator)
        await world.say(world.facilitator, room, "!campagnes")  # after: answered
        chat = await world.core.services.chats.find("matrix", room)
        assert chat is not None and chat.neighbourhood_id is None  # the old command: ignored
        bodies = [e["content"]["body"] for e in await world.bot_messages(world.facilitator, room)]
        assert len(bodies) == 1 and "campagne" in bodies[0].lower()
    finally:
        await world.close()


async def test_a_first_message_written_before_the_bot_joined_the_direct_chat_is_answered(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    # A resident opens a direct chat and writes at once; the bot accepts the invitation
    # later (here: it is down, as a busy bot is slow). The message is for the bot.
    world = await make_world(tmp_path, synapse, matrix, new_user)
    try:
        await world.stop_adapter()
        alice = new_user("alice")
        dm = await matrix.create_dm(alice, world.bot.user_id)
        first = await matrix.send_text(alice, dm, "!start")
        await world.restart_adapter()
        await world.handled(first)
        assert (await world.last_from_bot(alice, dm))["content"]["body"].startswith("Bonjour")
    finally:
        await world.close()
