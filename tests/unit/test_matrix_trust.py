"""The trust-on-first-use rule, on a real nio client with an in-memory key store: who gets the
room keys, who is held back, and how a held device comes back once its owner signs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, AsyncClientConfig  # type: ignore[import-untyped]
from nio.crypto import OlmDevice, TrustState  # type: ignore[import-untyped]
from nio.store import SqliteMemoryStore  # type: ignore[import-untyped]

from adapters.matrix.signing import SigningKey
from adapters.matrix.trust import DeviceTrust

ALICE = "@alice:example.org"


class Server:
    """What `/keys/query` answers: the identities and signed device keys set up by the test."""

    def __init__(self) -> None:
        self.answer: dict[str, Any] = {"device_keys": {}, "master_keys": {},
                                       "self_signing_keys": {}}
        self.queries = 0

    def identity(self, user: str, master: SigningKey, ssk: SigningKey) -> None:
        self.answer["master_keys"][user] = {"user_id": user, "usage": ["master"],
                                            "keys": {master.key_id: master.public}}
        self.answer["self_signing_keys"][user] = master.sign(
            {"user_id": user, "usage": ["self_signing"], "keys": {ssk.key_id: ssk.public}}, user)

    def device(self, user: str, device_id: str, signer: SigningKey | None) -> None:
        keys = {"user_id": user, "device_id": device_id, "keys": {}, "algorithms": []}
        self.answer["device_keys"].setdefault(user, {})[device_id] = (
            signer.sign(keys, user) if signer else keys)

    async def query(self, user_ids: list[str]) -> dict[str, Any]:
        self.queries += 1
        return self.answer


@pytest.fixture
async def client() -> Any:
    nio = AsyncClient("http://127.0.0.1:9", "@bot:example.org", device_id="BOT",
                      config=AsyncClientConfig(store=SqliteMemoryStore, encryption_enabled=True))
    nio.restore_login("@bot:example.org", "BOT", "unused-token")  # opens the key store
    assert nio.olm is not None
    yield nio
    await nio.close()


def add_device(client: AsyncClient, device_id: str) -> OlmDevice:
    device = OlmDevice(ALICE, device_id, {"ed25519": f"ed-{device_id}",
                                          "curve25519": f"cu-{device_id}"})
    client.device_store.add(device)
    client.store.save_device_keys({ALICE: {device_id: device}})  # as a /keys/query would
    return client.device_store[ALICE][device_id]


async def test_tofu_pins_the_first_identity_and_holds_back_the_rest(
    client: AsyncClient, tmp_path: Path,
) -> None:
    master, ssk = SigningKey(b"m" * 32), SigningKey(b"s" * 32)
    server = Server()
    server.identity(ALICE, master, ssk)
    server.device(ALICE, "PHONE", ssk)
    server.device(ALICE, "LAPTOP", None)  # not cross-signed by alice yet
    trust = DeviceTrust(client, server, "tofu", tmp_path)  # type: ignore[arg-type]
    phone, laptop = add_device(client, "PHONE"), add_device(client, "LAPTOP")
    await trust.settle([ALICE])
    assert phone.trust_state == TrustState.verified
    assert laptop.trust_state == TrustState.blacklisted
    assert trust.book.pins[ALICE] == master.public
    # Alice signs her laptop: before the next send it gets the keys.
    server.device(ALICE, "LAPTOP", ssk)
    await trust.settle([ALICE])
    assert laptop.trust_state == TrustState.verified and not trust.book.held
    # A new identity (what a compromised homeserver would have to show): its devices get
    # nothing, the pin stays — across a restart too.
    other_master, other_ssk = SigningKey(b"M" * 32), SigningKey(b"S" * 32)
    server.identity(ALICE, other_master, other_ssk)
    server.device(ALICE, "INTRUDER", other_ssk)
    intruder = add_device(client, "INTRUDER")
    await DeviceTrust(client, server, "tofu", tmp_path).settle([ALICE])  # type: ignore[arg-type]
    assert intruder.trust_state == TrustState.blacklisted
    assert DeviceTrust(client, server, "tofu", tmp_path).book.pins[ALICE] == master.public  # type: ignore[arg-type]
    # Nothing undecided: no query at all.
    before = server.queries
    await trust.settle([ALICE, "@bot:example.org"])
    assert server.queries == before


async def test_a_resident_without_cross_signing_is_trusted_as_first_seen(
    client: AsyncClient, tmp_path: Path,
) -> None:
    server = Server()
    server.device(ALICE, "OLD", None)
    old = add_device(client, "OLD")
    await DeviceTrust(client, server, "tofu", tmp_path).settle([ALICE])  # type: ignore[arg-type]
    assert old.trust_state == TrustState.verified


async def test_unverified_sends_to_every_device_without_asking_the_server(
    client: AsyncClient, tmp_path: Path,
) -> None:
    server = Server()
    device = add_device(client, "ANY")
    await DeviceTrust(client, server, "unverified", tmp_path).settle([ALICE])  # type: ignore[arg-type]
    assert device.trust_state == TrustState.verified and server.queries == 0
