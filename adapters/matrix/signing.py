"""Ed25519 signing of Matrix JSON objects, on the primitives nio already depends on.

nio signs with its device key only (through vodozemac's account); cross-signing needs three
more Ed25519 keys made from seeds the bot keeps. pycryptodome (a nio dependency) signs with
a key built from a seed; vodozemac, the library Element's crypto is written in, verifies.
Signatures cover the object's canonical JSON without ``signatures`` and ``unsigned``, as the
specification's "Signing JSON" section says.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import vodozemac
from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa

SEED_BYTES = 32


def unpadded_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def canonical_json(value: Any) -> bytes:
    """Matrix canonical JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                      allow_nan=False).encode("utf-8")


def signable(obj: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in obj.items() if k not in ("signatures", "unsigned")})


class SigningKey:
    """An Ed25519 key made from a 32-byte seed: the same seed always gives the same key."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != SEED_BYTES:
            raise ValueError(f"an Ed25519 seed is {SEED_BYTES} bytes, not {len(seed)}")
        self._key = ECC.construct(curve="Ed25519", seed=seed)
        self._signer = eddsa.new(self._key, "rfc8032")
        self.public = unpadded_b64(self._key.public_key().export_key(format="raw"))

    @property
    def key_id(self) -> str:
        return f"ed25519:{self.public}"

    def signature(self, obj: dict[str, Any]) -> str:
        return unpadded_b64(self._signer.sign(signable(obj)))

    def sign(self, obj: dict[str, Any], user_id: str) -> dict[str, Any]:
        """A copy of ``obj`` carrying this key's signature, beside the ones it had."""
        signed = copy.deepcopy(obj)
        signed.pop("unsigned", None)
        signatures = signed.setdefault("signatures", {}).setdefault(user_id, {})
        signatures[self.key_id] = self.signature(obj)
        return signed


def verify(obj: dict[str, Any], user_id: str, public_key: str) -> bool:
    """Whether ``obj`` carries a valid signature by ``user_id``'s Ed25519 ``public_key``."""
    signature = ((obj.get("signatures") or {}).get(user_id) or {}).get(f"ed25519:{public_key}")
    if not isinstance(signature, str):
        return False
    try:
        key = vodozemac.Ed25519PublicKey.from_base64(public_key)
        key.verify_signature(signable(obj), vodozemac.Ed25519Signature.from_base64(signature))
    except Exception:  # vodozemac raises its own exception types for bad keys and signatures
        return False
    return True


def ed25519_key(key_object: dict[str, Any] | None) -> str | None:
    """The public key of a cross-signing key object (``{"keys": {"ed25519:X": "X"}}``)."""
    if not key_object:
        return None
    for key_id, value in (key_object.get("keys") or {}).items():
        if key_id.startswith("ed25519:") and isinstance(value, str):
            return value
    return None
