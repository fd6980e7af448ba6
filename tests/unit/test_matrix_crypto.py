"""The bot's cross-signing primitives, seeds file, trust rule and encryption set-up checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters.matrix.cross_signing import CrossSigningKeys, load_or_create_seeds
from adapters.matrix.encryption import pickle_key, prepare_store
from adapters.matrix.settings import MatrixSettings
from adapters.matrix.signing import SigningKey, canonical_json, ed25519_key, verify
from adapters.matrix.trust import signed_by_identity
from adapters.matrix.trust_book import TrustBook
from animabot.config import Settings
from animabot.errors import ConfigError

USER = "@animabot:example.org"
# RFC 8032, section 7.1, test 1: the secret key, its public key and the empty message's signature.
RFC_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": ["é", {"d": None, "c": True}]}) == (
        '{"a":["é",{"c":true,"d":null}],"b":1}'.encode())


def test_a_seed_gives_the_rfc_8032_key() -> None:
    import base64

    key = SigningKey(RFC_SEED)
    assert base64.b64decode(key.public + "=") == RFC_PUBLIC
    assert key.key_id == f"ed25519:{key.public}"


def test_signatures_verify_with_vodozemac_and_cover_everything_but_signatures() -> None:
    key = SigningKey(bytes(range(32)))
    obj = {"user_id": USER, "keys": {"ed25519:X": "X"}, "unsigned": {"note": "ignored"}}
    signed = key.sign(obj, USER)
    assert "unsigned" not in signed and verify(signed, USER, key.public)
    assert not verify({**signed, "user_id": "@mallory:example.org"}, USER, key.public)
    assert not verify(signed, USER, SigningKey(bytes(32)).public)
    assert not verify(obj, USER, key.public)  # no signature at all


def test_the_upload_body_has_sub_keys_signed_by_the_master_key() -> None:
    keys = CrossSigningKeys.from_seeds({u: bytes([i]) * 32 for i, u in
                                        enumerate(("master", "self_signing", "user_signing"))})
    body = keys.upload_body(USER)
    master = ed25519_key(body["master_key"])
    assert master == keys.master.public and body["master_key"]["usage"] == ["master"]
    for name in ("self_signing_key", "user_signing_key"):
        assert verify(body[name], USER, master)
    assert ed25519_key(body["self_signing_key"]) == keys.self_signing.public


def test_the_seeds_file_is_made_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "seeds.json"
    first = load_or_create_seeds(path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert load_or_create_seeds(path) == first  # the same identity on every start
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_or_create_seeds(path)


def test_a_damaged_seeds_file_names_the_field_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "seeds.json"
    path.write_text(json.dumps({"master": "AAAA", "self_signing": "x", "user_signing": "y"}))
    path.chmod(0o600)
    with pytest.raises(ConfigError) as caught:
        load_or_create_seeds(path)
    problem = caught.value.problems[0]
    assert problem.field.startswith("matrix.cross_signing_seeds_file")
    assert "backup" in problem.fix


def _identity_query(device_signer: SigningKey, master: SigningKey, ssk: SigningKey,
                    user: str = "@alice:example.org") -> dict[str, object]:
    device = {"user_id": user, "device_id": "PHONE", "keys": {"ed25519:PHONE": "k"},
              "algorithms": ["m.megolm.v1.aes-sha2"]}
    ssk_object = master.sign({"user_id": user, "usage": ["self_signing"],
                              "keys": {ssk.key_id: ssk.public}}, user)
    return {
        "device_keys": {user: {"PHONE": device_signer.sign(device, user)}},
        "master_keys": {user: {"user_id": user, "usage": ["master"],
                               "keys": {master.key_id: master.public}}},
        "self_signing_keys": {user: ssk_object},
    }


def test_a_device_is_cross_signed_only_through_its_owners_master_key() -> None:
    master, ssk, other = (SigningKey(bytes([n]) * 32) for n in (1, 2, 3))
    assert signed_by_identity(_identity_query(ssk, master, ssk), "@alice:example.org", "PHONE")
    assert not signed_by_identity(_identity_query(other, master, ssk), "@alice:example.org",
                                  "PHONE")  # signed by a key that is not the self-signing key
    forged = _identity_query(ssk, master, ssk)
    forged["self_signing_keys"] = {"@alice:example.org": other.sign(  # not by the master key
        {"user_id": "@alice:example.org", "usage": ["self_signing"],
         "keys": {ssk.key_id: ssk.public}}, "@alice:example.org")}
    assert not signed_by_identity(forged, "@alice:example.org", "PHONE")
    assert not signed_by_identity({"device_keys": {}}, "@alice:example.org", "PHONE")


def test_the_trust_book_keeps_pins_and_held_devices_across_runs(tmp_path: Path) -> None:
    book = TrustBook(tmp_path / "trust.json")
    book.pins["@alice:example.org"] = "MASTER"
    book.held.add(("@bob:example.org", "TABLET"))
    book.save()
    again = TrustBook(tmp_path / "trust.json")
    assert again.pins == {"@alice:example.org": "MASTER"}
    assert again.held == {("@bob:example.org", "TABLET")}


def test_encryption_without_a_pickle_key_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(matrix=MatrixSettings(enabled=True, encryption=True,
                                              store_path=tmp_path / "store"))
    with pytest.raises(ConfigError, match=r"matrix\.pickle_key") as caught:
        pickle_key(settings)
    assert "ANIMABOT_MATRIX__PICKLE_KEY" in caught.value.problems[0].fix
    settings.matrix.pickle_key = SecretStr("long enough to encrypt a store")
    assert pickle_key(settings) == "long enough to encrypt a store"


def test_a_store_path_that_is_a_file_is_refused_with_the_field(tmp_path: Path) -> None:
    blocker = tmp_path / "store"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match=r"matrix\.store_path"):
        prepare_store(MatrixSettings(encryption=True, store_path=blocker))
    made = prepare_store(MatrixSettings(encryption=True, store_path=tmp_path / "new" / "store"))
    assert made.is_dir() and os.stat(made).st_mode & 0o777 == 0o700
    made.chmod(0o755)  # made beforehand, e.g. a volume: tightened
    assert os.stat(prepare_store(MatrixSettings(store_path=made))).st_mode & 0o777 == 0o700
