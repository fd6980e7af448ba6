"""Cross-signing as Element's own crypto sees it: a resident on Node 20 runs
`@matrix-org/matrix-sdk-crypto-wasm` (the Rust crypto inside Element Web) in strict mode,
where room keys go only to devices cross-signed by their owner and messages from devices that
are not cross-signed are refused (MSC4153, "exclude insecure devices").

With its self cross-signing the bot talks with that resident both ways; with cross-signing
off it is cut off both ways. A real Synapse serves both."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from animabot.chat.outgoing import OutgoingMessage, Target

from ...helpers import until
from ...support.matrix import MatrixUser, Residents, SynapseServer
from ...support.matrix.encrypted_resident import EncryptedResident
from ...support.matrix.wasm_resident import WasmResident
from .world import MatrixWorld, make_world


async def _strict_dm(world: MatrixWorld, synapse: SynapseServer,
                     new_user: Callable[..., MatrixUser]) -> tuple[WasmResident, str]:
    resident = await WasmResident.start(synapse.base_url, new_user("element"), strict=True)
    assert resident.cross_signed
    room = await resident.create_dm(world.bot.user_id)
    await resident.wait_joined(room, world.bot.user_id, timeout=20)
    return resident, room


async def test_a_strict_element_resident_and_the_cross_signed_bot_talk_both_ways(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user, encrypted=True)
    resident = None
    try:
        resident, room = await _strict_dm(world, synapse, new_user)
        sent = await resident.send_text(room, "!start")
        bot_device = f"{world.bot.user_id}|{world.bot.device_id}"
        assert bot_device in sent["shared_with_devices"]
        assert not sent["withheld_from_devices"]
        await world.handled(sent["event_id"])  # the bot decrypted and acted on it
        welcome = await resident.wait_message(room, "Bonjour", timeout=20)
        assert welcome["encrypted"] and welcome["sender"] == world.bot.user_id
        assert welcome["sender_device"] == world.bot.device_id
    finally:
        if resident is not None:
            await resident.stop()
        await world.close()


async def test_without_cross_signing_the_bot_is_cut_off_both_ways(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user, encrypted=True,
                             cross_signing=False)
    resident = None
    try:
        resident, room = await _strict_dm(world, synapse, new_user)
        sent = await resident.send_text(room, "!start")
        assert sent["shared_with_devices"] == []
        assert [w["code"] for w in sent["withheld_from_devices"]] == ["m.unverified"]
        # The bot's own message reaches the resident's device, which refuses to decrypt it.
        await world.adapter.send(Target("matrix", room, True),
                                 OutgoingMessage("Bonjour depuis un appareil non signé"),
                                 key="unsigned-hello")
        refused = await resident.undecryptable(room, "non signé", timeout=5)
        assert any("not signed by the user's identity" in r["reason"] for r in refused)
        assert sent["event_id"] not in world.done  # nothing the bot could read
    finally:
        if resident is not None:
            await resident.stop()
        await world.close()


async def test_an_unsigned_session_of_a_cross_signed_resident_is_held_back_both_ways(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    """Trust on first use: once the bot has pinned a resident's identity, a session that
    identity has not signed gets no room keys, and what it says is not acted on."""
    world = await make_world(tmp_path, synapse, matrix, new_user, encrypted=True)
    resident, second = None, None
    try:
        resident, room = await _strict_dm(world, synapse, new_user)
        sent = await resident.send_text(room, "!start")
        await world.handled(sent["event_id"])
        await resident.wait_message(room, "Bonjour", timeout=20)  # the identity is pinned now
        login = await matrix.request(resident.user, "POST", "/login", {
            "type": "m.login.password", "password": resident.user.password,
            "identifier": {"type": "m.id.user", "user": resident.user.user_id}})
        unsigned = MatrixUser(resident.user.user_id, login["access_token"], login["device_id"],
                              resident.user.password)
        second = EncryptedResident(synapse.base_url, unsigned, tmp_path / "second")
        await second.start()
        await second.know_devices(world.bot.user_id)
        said = await second.say(room, "!aide")
        warned = await resident.wait_message(room, "pas vérifiée", timeout=20)
        assert warned["sender"] == world.bot.user_id
        assert said not in world.done  # the command never reached the core
        assert not await world.core.database.fetch_all(
            "SELECT 1 FROM inbox WHERE event_id = ?", (said,))

        async def warning_arrived() -> bool:  # sealed: that session got no key for it
            return warned["event_id"] in second.undecryptable.get(room, [])

        await until(warning_arrived, 20, "the unsigned session to see the sealed warning")
    finally:
        if second is not None:
            await second.stop()
        if resident is not None:
            await resident.stop()
        await world.close()
