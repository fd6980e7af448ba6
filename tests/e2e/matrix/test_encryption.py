"""Encrypted rooms on a real Synapse: a resident on nio with end-to-end encryption talks to
the bot in an encrypted direct room, as Element and Tchap create them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...support.matrix import MatrixUser, Residents, SynapseServer
from ...support.matrix.encrypted_resident import EncryptedResident
from .world import make_world


def body(event: dict) -> str:
    return str((event.get("content") or {}).get("body", ""))


async def test_onboarding_in_an_encrypted_direct_room(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,
    new_user: Callable[..., MatrixUser],
) -> None:
    world = await make_world(tmp_path, synapse, matrix, new_user, encrypted=True)
    alice = EncryptedResident(synapse.base_url, new_user("alice"), tmp_path / "alice")
    await alice.start()
    try:
        dm = await alice.create_dm(world.bot.user_id)
        started = await alice.say(dm, "!start")
        await world.handled(started)
        hello = await alice.wait_for(dm, world.bot.user_id, lambda e: "Bonjour" in body(e))
        print(hello)
    finally:
        await alice.stop()
        await world.close()
