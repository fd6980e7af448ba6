"""The adapter's end-to-end encryption duties around nio, apart from the sync and send logic.

nio decrypts and encrypts; what it leaves to its user is done here: noticing a lost key store
(and becoming a new device), publishing and cross-signing the device at start, the key
requests ``sync_forever`` would make between syncs, screening what was decrypted against the
trust policy, and deciding which devices get a room key before a send.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiohttp import ClientError
from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    DeleteDevicesResponse,
    KeysUploadError,
    MegolmEvent,
)
from nio.crypto import TrustState  # type: ignore[import-untyped]
from nio.exceptions import LocalProtocolError  # type: ignore[import-untyped]

from animabot.config import Settings
from animabot.errors import AnimabotError, TransientError

from .cross_signing import CrossSigningKeys, ensure_cross_signed, load_or_create_seeds
from .encryption import store_file
from .keys_api import KeysApi
from .settings import matrix_settings
from .trust import DeviceTrust

log = logging.getLogger(__name__)


async def store_lost(settings: Settings, token: str, device: str, password: str | None) -> bool:
    """True when the key store of ``device`` is gone though the server has its keys: the
    device's secrets are lost for good, so the bot must become a new device. Raises when it
    cannot (an access token is bound to the lost device)."""
    config = matrix_settings(settings)
    if not config.encryption or store_file(config, device).exists():
        return False
    api = KeysApi(config.homeserver, token, config.request_timeout)
    query = await api.query([config.user_id])
    if device not in ((query.get("device_keys") or {}).get(config.user_id) or {}):
        return False  # a device that never had keys: its store is simply made now
    if settings.secret(config.access_token, config.access_token_file) or not password:
        raise AnimabotError(
            f"the encryption store of the bot's device {device} is missing from"
            f" {config.store_path}, but the homeserver has that device's keys: the store"
            " was lost. Restore it from its backup, or log in as a new device: remove"
            " access_token and set password (or password_file)")
    log.warning(
        "the encryption store of the bot's device %s is missing from %s: it was lost."
        " Logging in as a new device; residents' clients will see a new device of the bot,"
        " cross-signed by the same identity if the seeds file is intact, and messages"
        " encrypted for the old device can no longer be read", device, config.store_path)
    return True


async def delete_device(client: AsyncClient, device_id: str, password: str) -> None:
    """Remove the device whose store was lost: residents' clients would otherwise keep
    encrypting for keys nobody holds any more. Not fatal if it fails."""
    auth = {"type": "m.login.password", "password": password,
            "identifier": {"type": "m.id.user", "user": client.user_id}}
    try:
        asked = await client.delete_devices([device_id])
        session = getattr(asked, "session", None)
        done = asked if session is None else await client.delete_devices(
            [device_id], {**auth, "session": session})
    except (ClientError, TimeoutError) as exc:
        done = exc
    if isinstance(done, DeleteDevicesResponse):
        log.info("removed the bot's lost device %s from the account", device_id)
    else:
        log.warning("could not remove the lost device %s (%s): remove it from the"
                    " account's sessions in Element", device_id, done)


class EndToEnd:
    """Bound to a logged-in nio client whose key store is open; ``start`` it first."""

    def __init__(self, settings: Settings, client: AsyncClient) -> None:
        self.settings = settings
        self.config = matrix_settings(settings)
        self.client = client
        self.trust: DeviceTrust | None = None
        self.refused: set[str] = set()  # event ids from devices the trust policy holds back

    async def start(self) -> None:
        """Publish the device's keys and cross-sign the device."""
        if self.client.olm is None:
            raise AnimabotError(f"the Matrix key store in {self.config.store_path} could not be"
                                " opened: the bot will not run unencrypted")
        if self.client.should_upload_keys:
            uploaded = await self.client.keys_upload()
            if isinstance(uploaded, KeysUploadError):
                raise AnimabotError(f"uploading the bot's device keys failed: {uploaded}")
        api = KeysApi(self.config.homeserver, self.client.access_token,
                      self.config.request_timeout)
        self.trust = DeviceTrust(self.client, api, self.config.trust, self.config.store_path)
        if not self.config.cross_signing:
            log.warning("cross-signing is off: Element clients that exclude insecure devices"
                        " will neither send to the bot nor accept its messages")
            return
        keys = CrossSigningKeys.from_seeds(
            load_or_create_seeds(self.config.cross_signing_seeds_file))
        password = self.settings.secret(self.config.password, self.config.password_file)
        outcome = await ensure_cross_signed(api, self.config.user_id, self.client.device_id,
                                            keys, password)
        log.info("cross-signing of device %s: %s", self.client.device_id,
                 "keys uploaded" if outcome.uploaded_keys else
                 "device signed" if outcome.signed_device else "already in place")

    async def maintain_keys(self) -> None:
        """What ``sync_forever`` does between syncs: to-device messages, key upload, query
        and claim. Failures are logged and retried after the next sync."""
        try:
            await self.client.send_to_device_messages()
            if self.client.should_upload_keys:
                await self.client.keys_upload()
            if self.client.should_query_keys:
                await self.client.keys_query()
            if self.client.should_claim_keys:
                await self.client.keys_claim(self.client.get_users_for_key_claiming())
        except (ClientError, TimeoutError, LocalProtocolError) as exc:
            log.warning("Matrix key maintenance failed, retried after the next sync: %s", exc)

    async def screen(self, events: list[Any], acting: bool) -> None:
        """One pass over what nio handed over. An event it could not decrypt: logged, its key
        asked of the sender's devices. When ``acting``, a message decrypted from a device
        whose room keys are held back joins ``refused``: the trust policy applies to what
        the bot reads too."""
        assert self.trust is not None, "start() first"
        for event in events:
            if isinstance(event, MegolmEvent):
                log.warning("cannot decrypt an event (no key for its session yet): asking the"
                            " sender's devices for the key")
                with contextlib.suppress(ClientError, TimeoutError, LocalProtocolError):
                    await self.client.request_room_key(event)
                continue
            key = getattr(event, "sender_key", None)
            if (not acting or not getattr(event, "decrypted", False) or not key
                    or event.sender == self.config.user_id):
                continue
            device = await self._sending_device(event.sender, key)
            if device is not None and device.trust_state == TrustState.unset:
                with contextlib.suppress(AnimabotError):  # undecided: decided at next send
                    await self.trust.settle([event.sender])
            if device is not None and device.trust_state == TrustState.blacklisted:
                self.refused.add(event.event_id)

    async def _sending_device(self, user_id: str, curve25519: str) -> Any:
        """The device a decrypted event came from, its keys queried if still unknown."""
        for attempt in range(2):
            for device in self.client.device_store.active_user_devices(user_id):
                if device.curve25519 == curve25519:
                    return device
            if attempt == 0:
                self.client.olm.users_for_key_query.add(user_id)
                with contextlib.suppress(ClientError, TimeoutError, LocalProtocolError):
                    await self.client.keys_query()
        return None

    async def prepare_send(self, room: Any) -> None:
        """Before nio shares a room key: members known, their devices queried, each one
        decided by the trust policy."""
        assert self.trust is not None, "start() first"
        if not room.members_synced:
            await self.client.joined_members(room.room_id)
        if self.client.should_query_keys:
            await self.client.keys_query()
        try:
            await self.trust.settle(room.users)
        except AnimabotError as exc:  # the keys query failed: try again later
            raise TransientError(f"cannot decide which devices get the key: {exc}") from exc
