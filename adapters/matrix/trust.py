"""Which residents' devices get the room keys of the bot's encrypted messages.

- ``tofu`` (default), trust on first use: the first cross-signing identity (master key) the
  bot sees for a resident is pinned. Devices that identity signed get the keys; so do the
  devices of a resident without cross-signing (older clients), as first seen. When a pinned
  identity changes, which is what an attacker controlling the homeserver would have to do,
  the devices of the new identity get nothing and the log says so; a device not (yet)
  cross-signed by its owner is held back until it is, and re-examined before each send.
- ``unverified``: every device of the room's members gets the keys. Nothing is ever held
  back, and a homeserver that adds a device to a resident's account can read what follows.

The adapter applies the same decision to what it reads: a message decrypted from a device
held back is not acted on. nio records the decisions in its store (verified or blacklisted).
Its own rule also holds in both modes: a device whose keys change under the same id is never
trusted again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from nio import AsyncClient  # type: ignore[import-untyped]
from nio.crypto import OlmDevice, TrustState  # type: ignore[import-untyped]

from .keys_api import KeysApi
from .signing import ed25519_key, verify
from .trust_book import TrustBook

log = logging.getLogger(__name__)
TrustPolicy = Literal["tofu", "unverified"]


def signed_by_identity(query: dict[str, Any], user_id: str, device_id: str) -> bool:
    """Whether the device is signed by a self-signing key its owner's master key signed."""
    master = ed25519_key((query.get("master_keys") or {}).get(user_id))
    self_signing = (query.get("self_signing_keys") or {}).get(user_id)
    device = ((query.get("device_keys") or {}).get(user_id) or {}).get(device_id)
    ssk = ed25519_key(self_signing)
    if not (master and ssk and device and self_signing):
        return False
    return verify(self_signing, user_id, master) and verify(device, user_id, ssk)


class DeviceTrust:
    def __init__(self, client: AsyncClient, api: KeysApi, policy: TrustPolicy,
                 store_path: Path) -> None:
        self.client = client
        self.api = api
        self.policy = policy
        self.book = TrustBook(store_path / TrustBook.FILE)

    def _undecided(self, user_ids: Iterable[str]) -> dict[str, list[OlmDevice]]:
        pending: dict[str, list[OlmDevice]] = {}
        for user_id in user_ids:
            if user_id == self.client.user_id:
                continue
            for device in self.client.device_store.active_user_devices(user_id):
                if device.trust_state == TrustState.unset or (
                        (user_id, device.id) in self.book.held):
                    pending.setdefault(user_id, []).append(device)
        return pending

    async def settle(self, user_ids: Iterable[str]) -> None:
        """Decide every undecided device of these users before a group session is shared."""
        pending = self._undecided(user_ids)
        if not pending:
            return
        if self.policy == "unverified":
            for devices in pending.values():
                for device in devices:
                    self.client.verify_device(device)
            return
        self.book.load()  # `animabot matrix trust-reset` may have changed it meanwhile
        query = await self.api.query(list(pending))
        for user_id, devices in pending.items():
            self._decide(query, user_id, devices)

    def _decide(self, query: dict[str, Any], user_id: str, devices: list[OlmDevice]) -> None:
        identity = ed25519_key((query.get("master_keys") or {}).get(user_id))
        pinned = self.book.pins.get(user_id)
        if identity and pinned is None:
            self.book.pins[user_id] = identity
            pinned = identity
            log.info("pinned a resident's cross-signing identity on first use")
        for device in devices:
            if identity is None and pinned is None:
                trusted, why = True, ""
            elif identity != pinned:
                trusted, why = False, "their cross-signing identity changed since first seen"
            elif signed_by_identity(query, user_id, device.id):
                trusted, why = True, ""
            else:
                trusted, why = False, "the device is not cross-signed by its owner yet"
            self._apply(user_id, device, trusted, why)
        self.book.save()

    def _apply(self, user_id: str, device: OlmDevice, trusted: bool, why: str) -> None:
        key = (user_id, device.id)
        if trusted:
            if key in self.book.held:
                self.client.unblacklist_device(device)
                self.book.held.discard(key)
            self.client.verify_device(device)
        elif device.trust_state != TrustState.blacklisted:
            self.client.blacklist_device(device)
            self.book.held.add(key)
            log.warning("room keys held back from a resident's device: %s", why)
