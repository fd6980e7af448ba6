"""Encrypted rooms on a real Synapse: residents on nio with end-to-end encryption talk to the
bot in encrypted direct rooms, as Element and Tchap create them. Onboarding, a poll, a
reminder, a training, a restart, a lost key store; and Synapse never holds the plaintext."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.matrix.signing import ed25519_key, verify
from animabot.errors import AnimabotError
from animabot.stats.campaign import campaign_figures

from ...helpers import POLL_SCENARIO, TRAINING_SCENARIO, scenario, until
from ...support.matrix import MatrixUser, Residents, SynapseServer
from ...support.matrix.encrypted_resident import ENCRYPTION_STATE, EncryptedResident
from .test_campaigns import NATIVE_POLL
from .world import MatrixWorld, make_world

POLL_START = "org.matrix.msc3381.poll.start"


def body(event: dict[str, Any]) -> str:
    return str((event.get("content") or {}).get("body", ""))


def answer_ids(event: dict[str, Any]) -> list[str]:
    return [a["id"] for a in event["content"][POLL_START]["answers"]]


class Conversation:
    """One encrypted resident and their encrypted direct room with the bot."""

    def __init__(self, world: MatrixWorld, resident: EncryptedResident) -> None:
        self.world, self.resident = world, resident
        self.room = ""

    @property
    def from_bot(self) -> list[dict[str, Any]]:
        return self.resident.seen(self.room, self.world.bot.user_id)

    async def open(self) -> None:
        self.room = await self.resident.create_dm(self.world.bot.user_id)

    async def reply(self, text: str, expect: str = "") -> dict[str, Any]:
        """Say ``text``; once the bot has handled it, its first new message containing
        ``expect``, decrypted."""
        before = len(self.from_bot)
        await self.world.handled(await self.resident.say(self.room, text))
        return await self.next_from_bot(before, expect)

    async def next_from_bot(self, before: int, expect: str = "") -> dict[str, Any]:
        def fresh() -> list[dict[str, Any]]:
            return [e for e in self.from_bot[before:] if expect in body(e)]

        await self.resident.wait_for(self.room, self.world.bot.user_id, lambda _: bool(fresh()))
        return fresh()[0]

    async def onboard(self, hood: str = "Centre") -> None:
        await self.open()
        await self.reply("!start", "Bonjour")
        choice = await self.reply("1", f". {hood}")
        number = next(line.split(".")[0] for line in body(choice).split("\n")
                      if line.endswith(f". {hood}"))
        await self.reply(number, "Quartier choisi")

    async def poll(self) -> dict[str, Any]:
        return await self.resident.wait_for(self.room, self.world.bot.user_id,
                                            lambda e: e["type"] == POLL_START)


@pytest.fixture
async def world(tmp_path: Path, synapse: SynapseServer, matrix: Residents,
                new_user: Callable[..., MatrixUser]) -> AsyncIterator[MatrixWorld]:
    world = await make_world(tmp_path, synapse, matrix, new_user, encrypted=True)
    try:
        yield world
    finally:
        await world.close()


@pytest.fixture
async def people(tmp_path: Path, synapse: SynapseServer, new_user: Callable[..., MatrixUser],
                 world: MatrixWorld) -> AsyncIterator[Callable[[str], Any]]:
    started: list[EncryptedResident] = []

    async def person(name: str) -> Conversation:
        resident = EncryptedResident(synapse.base_url, new_user(name), tmp_path / name)
        await resident.start()
        started.append(resident)
        return Conversation(world, resident)

    try:
        yield person
    finally:
        for resident in started:
            await resident.stop()


def plaintext_in_synapse(synapse: SynapseServer, room_id: str, *phrases: str) -> list[str]:
    """The phrases found in any event Synapse stored for the room, read with SQL."""
    with sqlite3.connect(synapse.directory / "homeserver.db") as db:
        rows = [r[0] for r in db.execute("SELECT json FROM event_json WHERE room_id = ?",
                                         (room_id,))]
    assert rows, "no events stored for the room"
    return [p for p in phrases if any(p in row for row in rows)]


async def test_a_poll_a_reminder_and_a_training_in_encrypted_direct_rooms(
    world: MatrixWorld, people: Callable[[str], Any], synapse: SynapseServer,
) -> None:
    alice, bob = await people("alice"), await people("bob")
    for person in (alice, bob):
        await person.onboard()
    poll_campaign = await world.core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
    await world.worker.drain()
    poll = await alice.poll()
    assert "Un jardin ?" in poll["content"][POLL_START]["question"]["body"]
    await world.handled(await alice.resident.vote(alice.room, poll["event_id"],
                                                  answer_ids(poll)[0]))
    await bob.poll()
    before = len(bob.from_bot)
    world.clock.advance(timedelta(days=1))
    await world.worker.drain()
    assert "Rappel" in body(await bob.next_from_bot(before, "Rappel"))  # bob had not answered
    assert not any("Rappel" in body(e) for e in alice.from_bot)
    await bob.reply("2")  # a numbered reply, encrypted like the rest
    figures = await campaign_figures(world.core.database, poll_campaign.id, 1)
    assert list(figures.polls[0].answers.cells) == [1, 1, 0]

    training = await world.core.campaigns.start(scenario(TRAINING_SCENARIO), ["centre"])
    await world.worker.drain()
    await alice.resident.wait_for(alice.room, world.bot.user_id,
                                  lambda e: "Composter" in body(e))
    for _ in range(3):  # Commencer → carte 1 → carte 2 → the quiz
        await alice.reply("1")
    quiz = await alice.resident.wait_for(
        alice.room, world.bot.user_id,
        lambda e: e["type"] == POLL_START and "épluchures" in body(e))
    await world.handled(await alice.resident.vote(alice.room, quiz["event_id"],
                                                  answer_ids(quiz)[0]))
    pseudonym = world.core.pseudonymize("matrix", alice.resident.user.user_id)
    assert await world.core.services.answers.completed(training.id, "compost", pseudonym)

    assert not alice.resident.undecryptable and not bob.resident.undecryptable
    for person in (alice, bob):
        assert plaintext_in_synapse(synapse, person.room, "Bonjour", "Un jardin", "Rappel",
                                    "Carte un", "!start", "Quartier") == []


async def test_what_was_sent_while_the_bot_was_down_is_decrypted_after_a_restart(
    world: MatrixWorld, people: Callable[[str], Any],
) -> None:
    alice = await people("alice")
    await alice.onboard()
    await world.stop_adapter()
    asked = await alice.resident.say(alice.room, "!aide")
    await world.restart_adapter()  # the same key store: the room key arrives with the sync
    await world.handled(asked)
    assert "mesdonnees" in body(await alice.next_from_bot(0, "mesdonnees"))


async def test_an_access_token_alone_is_enough_the_server_names_its_device(
    world: MatrixWorld, matrix: Residents,
) -> None:
    assert world.settings.matrix.device_id == ""  # as the README configures it
    assert world.adapter.client.device_id == world.bot.device_id  # from /whoami
    user = world.bot.user_id
    keys = await matrix.request(world.bot, "POST", "/keys/query", {"device_keys": {user: []}})
    assert world.bot.device_id in keys["device_keys"][user]  # the upload was accepted


async def test_cross_signing_is_in_place_and_idempotent(
    world: MatrixWorld, matrix: Residents, caplog: pytest.LogCaptureFixture,
) -> None:
    keys = await matrix.request(world.bot, "POST", "/keys/query",
                                {"device_keys": {world.bot.user_id: []}})
    user = world.bot.user_id
    master = ed25519_key(keys["master_keys"][user])
    ssk_object = keys["self_signing_keys"][user]
    ssk = ed25519_key(ssk_object)
    device = keys["device_keys"][user][world.bot.device_id]
    assert master and ssk and verify(ssk_object, user, master) and verify(device, user, ssk)
    caplog.set_level(logging.INFO, logger="adapters.matrix")
    await world.stop_adapter()
    await world.restart_adapter()
    assert "cross-signing of device" in caplog.text and "already in place" in caplog.text
    again = await matrix.request(world.bot, "POST", "/keys/query", {"device_keys": {user: []}})
    assert ed25519_key(again["master_keys"][user]) == master


async def test_a_lost_key_store_means_a_new_device_with_the_same_identity(
    world: MatrixWorld, people: Callable[[str], Any], matrix: Residents,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alice = await people("alice")
    await alice.onboard()
    await world.stop_adapter()
    shutil.rmtree(world.settings.matrix.store_path)
    with pytest.raises(AnimabotError, match=r"the store was lost\. Restore it from its backup"):
        await world.restart_adapter()  # an access token is bound to the lost device
    await world.adapter.client.close()
    world.settings.matrix.access_token = None
    world.settings.matrix.device_id = ""
    world.settings.matrix.password = SecretStr(world.bot.password)
    await world.restart_adapter()  # a password login: a new device
    first_new = world.adapter.client.device_id
    assert first_new != world.bot.device_id
    await alice.reply("!aide", "mesdonnees")
    # The bot logs in by itself now: a second loss is handled without a hand on the config.
    await world.stop_adapter()
    shutil.rmtree(world.settings.matrix.store_path)
    caplog.set_level(logging.INFO, logger="adapters.matrix")
    await world.restart_adapter()
    assert "Logging in as a new device" in caplog.text
    new_device = world.adapter.client.device_id
    assert new_device not in (world.bot.device_id, first_new)
    assert f"removed the bot's lost device {first_new}" in caplog.text
    devices = await matrix.request(world.bot, "GET", "/devices")
    assert first_new not in {d["device_id"] for d in devices["devices"]}
    user = world.bot.user_id
    keys = await matrix.request(world.bot, "POST", "/keys/query", {"device_keys": {user: []}})
    ssk = ed25519_key(keys["self_signing_keys"][user])
    assert ssk and verify(keys["device_keys"][user][new_device], user, ssk)
    before = len(alice.from_bot)
    await alice.reply("!aide", "mesdonnees")  # alice's client shares her room key with it
    assert alice.from_bot[-1]["content"] and len(alice.from_bot) > before


async def test_with_encryption_off_the_bot_leaves_an_encrypted_room_and_writes_nothing_there(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser], caplog: pytest.LogCaptureFixture,
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user)  # encryption = false
    alice = EncryptedResident(synapse.base_url, new_user("alice"), tmp_path / "alice")
    await alice.start()
    try:
        created = await alice.client.room_create(
            is_direct=True, invite=[world.bot.user_id],
            initial_state=[ENCRYPTION_STATE])
        room_id = created.room_id
        await matrix.wait_for_event(
            alice.user, room_id,
            lambda e: e["type"] == "m.room.member" and e.get("state_key") == world.bot.user_id
            and e["content"].get("membership") == "leave")
        assert "left an encrypted room the bot was invited to" in caplog.text
        assert world.bot.user_id not in await matrix.joined_members(alice.user, room_id)
    finally:
        await alice.stop()
        await world.close()


async def test_an_encrypted_neighbourhood_room_gets_its_poll_and_counts_the_votes(
    world: MatrixWorld, tmp_path: Path, synapse: SynapseServer,
    new_user: Callable[..., MatrixUser],
) -> None:
    fanny = EncryptedResident(synapse.base_url, world.facilitator, tmp_path / "fanny")
    bob = EncryptedResident(synapse.base_url, new_user("bob"), tmp_path / "bob")
    await fanny.start()
    await bob.start()
    try:
        created = await fanny.client.room_create(
            name="Gare", invite=[world.bot.user_id, bob.user.user_id],
            initial_state=[ENCRYPTION_STATE])
        room = created.room_id
        await bob.client.join(room)

        async def everyone_in() -> bool:
            known = fanny.client.rooms.get(room)
            return known is not None and {world.bot.user_id, bob.user.user_id} <= set(
                known.users)

        await until(everyone_in, 20, "the bot and bob to join")
        await world.handled(await fanny.say(room, "!quartier gare"))
        linked = await world.core.services.chats.find("matrix", room)
        assert linked is not None and linked.neighbourhood_id == "gare"
        started = await world.core.campaigns.start(scenario(NATIVE_POLL), ["gare"])
        await world.worker.drain()
        poll = await bob.wait_for(room, world.bot.user_id, lambda e: e["type"] == POLL_START)
        await world.handled(await bob.vote(room, poll["event_id"], answer_ids(poll)[1]))
        figures = await campaign_figures(world.core.database, started.id, 1)
        assert figures.polls[0].respondents == 1
        assert list(figures.polls[0].answers.cells) == [0, 1, 0]
        assert plaintext_in_synapse(synapse, room, "Un jardin", "quartier gare") == []
    finally:
        await bob.stop()
        await fanny.stop()


async def test_a_message_the_bot_cannot_decrypt_gets_a_request_to_send_it_again(
    world: MatrixWorld, people: Callable[[str], Any], matrix: Residents,
) -> None:
    alice = await people("alice")
    await alice.open()
    before = len(alice.from_bot)
    # A Megolm message whose room key never reached the bot (a client that shared it with
    # the bot's devices before it knew them, say).
    await matrix.send_event(alice.resident.user, alice.room, "m.room.encrypted", {
        "algorithm": "m.megolm.v1.aes-sha2", "sender_key": "A" * 43,
        "session_id": "B" * 43, "device_id": alice.resident.user.device_id,
        "ciphertext": "AwgAEnAC" + "C" * 100})
    asked = await alice.next_from_bot(before, "renvoyez-le")
    assert "please send it again" in body(asked)
