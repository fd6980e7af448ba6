"""The bot's own cross-signing: a master key, a self-signing key and a user-signing key, made
from seeds kept in a 0600 file, uploaded once, and the bot's device signed with them.

Element excludes devices their owner has not cross-signed (MSC4153): an unsigned bot gets no
room keys from strict clients and its messages are shown as insecure. Because the keys come
from the seeds, a bot that loses its key store logs in as a new device, signs it with the same
identity, and residents' clients keep trusting it. ``ensure_cross_signed`` runs on every start
and changes nothing when all is in place.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from animabot.errors import AnimabotError, ConfigError, Problem

from .keys_api import KeysApi
from .signing import SEED_BYTES, SigningKey, ed25519_key, unpadded_b64, verify

log = logging.getLogger(__name__)
USAGES = ("master", "self_signing", "user_signing")
FIELD = "matrix.cross_signing_seeds_file"


@dataclass(frozen=True)
class CrossSigningKeys:
    master: SigningKey
    self_signing: SigningKey
    user_signing: SigningKey

    @classmethod
    def from_seeds(cls, seeds: dict[str, bytes]) -> CrossSigningKeys:
        return cls(*(SigningKey(seeds[usage]) for usage in USAGES))

    def upload_body(self, user_id: str) -> dict[str, Any]:
        """``/keys/device_signing/upload``: the two sub-keys signed by the master key."""
        def key_object(key: SigningKey, usage: str) -> dict[str, Any]:
            return {"user_id": user_id, "usage": [usage], "keys": {key.key_id: key.public}}

        return {
            "master_key": key_object(self.master, "master"),
            "self_signing_key": self.master.sign(
                key_object(self.self_signing, "self_signing"), user_id),
            "user_signing_key": self.master.sign(
                key_object(self.user_signing, "user_signing"), user_id),
        }


def _decode_seed(text: Any, usage: str, path: Path) -> bytes:
    try:
        seed = base64.b64decode(str(text) + "=" * (-len(str(text)) % 4), validate=True)
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != SEED_BYTES:
        raise ConfigError([Problem(str(path), f"{FIELD} ({usage})",
                                   f"the {usage} seed is not {SEED_BYTES} bytes of base64",
                                   "restore the file from its backup")])
    return seed


def load_or_create_seeds(path: Path) -> dict[str, bytes]:
    """The seeds from ``path``, created (mode 0600) on the first run."""
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError([Problem(str(path), FIELD,
                                       f"readable by others (mode {mode:04o}): these seeds"
                                       " are the bot's identity", f"chmod 600 {path}")])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError([Problem(str(path), FIELD, f"cannot be read as JSON: {exc}",
                                       "restore the file from its backup")]) from None
        missing = [usage for usage in USAGES if usage not in data]
        if missing:
            raise ConfigError([Problem(str(path), FIELD, f"lacks {', '.join(missing)}",
                                       "restore the file from its backup")])
        return {usage: _decode_seed(data[usage], usage, path) for usage in USAGES}
    seeds = {usage: secrets.token_bytes(SEED_BYTES) for usage in USAGES}
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({usage: unpadded_b64(seed) for usage, seed in seeds.items()}, handle)
        handle.write("\n")
    log.warning("created the bot's cross-signing seeds in %s (mode 0600): back this file up;"
                " with it a lost key store costs only a new device, still trusted", path)
    return seeds


@dataclass(frozen=True)
class CrossSigningOutcome:
    uploaded_keys: bool
    signed_device: bool


async def ensure_cross_signed(
    api: KeysApi, user_id: str, device_id: str, keys: CrossSigningKeys, password: str | None,
) -> CrossSigningOutcome:
    """Upload the cross-signing keys unless the server has them, then sign the device unless
    its keys already carry the self-signing key's signature. Idempotent."""
    query = await api.query([user_id])
    on_server = (ed25519_key((query.get("master_keys") or {}).get(user_id)),
                 ed25519_key((query.get("self_signing_keys") or {}).get(user_id)))
    uploaded = False
    if on_server != (keys.master.public, keys.self_signing.public):
        if on_server[0] is not None:
            log.warning("the account %s has other cross-signing keys on the server:"
                        " replacing them with the ones from the seeds file", user_id)
        await api.upload_signing_keys(keys.upload_body(user_id), user_id, password)
        uploaded = True
    device = ((query.get("device_keys") or {}).get(user_id) or {}).get(device_id)
    if device is None:
        raise AnimabotError(f"the homeserver has no keys for the bot's device {device_id}:"
                            " they are uploaded before cross-signing, see the log above")
    if verify(device, user_id, keys.self_signing.public):
        return CrossSigningOutcome(uploaded, False)
    signed = keys.self_signing.sign(
        {k: v for k, v in device.items() if k != "signatures"}, user_id)
    await api.upload_signatures({user_id: {device_id: signed}})
    return CrossSigningOutcome(uploaded, True)
