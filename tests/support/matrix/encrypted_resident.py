"""`EncryptedResident`: a test user on matrix-nio with end-to-end encryption, as a resident
on Element would be: encrypted direct rooms, encrypted messages and poll votes, and every
event it can read decrypted (what it cannot read is kept too, to assert on)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    AsyncClientConfig,
    MegolmEvent,
    RoomCreateError,
    RoomSendError,
    SyncResponse,
)
from nio.exceptions import LocalProtocolError  # type: ignore[import-untyped]

from ...helpers import until
from .synapse import MatrixUser

Event = dict[str, Any]
ENCRYPTION_STATE = {"type": "m.room.encryption", "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
POLL_RESPONSE = "org.matrix.msc3381.poll.response"


class EncryptedResident:
    """Start with `start()`, stop with `stop()`; it syncs in the background meanwhile."""

    def __init__(self, base_url: str, user: MatrixUser, store: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.user = user
        self.client = AsyncClient(base_url, user.user_id, device_id=user.device_id,
                                  store_path=str(store),
                                  config=AsyncClientConfig(encryption_enabled=True,
                                                           store_sync_tokens=True))
        self.events: dict[str, list[Event]] = {}
        self.undecryptable: dict[str, list[str]] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.client.restore_login(self.user.user_id, self.user.device_id, self.user.access_token)
        self.client.add_response_callback(self._collect, SyncResponse)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        self._task = asyncio.create_task(self._sync())

    async def _sync(self) -> None:
        """``sync_forever``, resumed where it stopped if it dies of a key request it starts
        between syncs that a concurrent one (``know_devices``, a send) already made: nio
        raises ``LocalProtocolError: No key query required`` and ends the loop."""
        while True:
            try:
                await self.client.sync_forever(timeout=500)
            except LocalProtocolError:
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """Its HTTP session is closed even if the sync task had failed: an unclosed session
        would fail whichever test runs when it is collected."""
        try:
            if self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        finally:
            await self.client.close()

    async def _collect(self, response: SyncResponse) -> None:
        for room_id, info in response.rooms.join.items():
            for event in info.timeline.events:
                if isinstance(event, MegolmEvent):
                    self.undecryptable.setdefault(room_id, []).append(event.event_id)
                else:
                    self.events.setdefault(room_id, []).append(event.source)

    async def create_dm(self, bot_user_id: str) -> str:
        """An encrypted direct room with the bot invited, as Element creates one."""
        created = await self.client.room_create(
            is_direct=True, preset=None, invite=[bot_user_id],
            initial_state=[ENCRYPTION_STATE],
        )
        if isinstance(created, RoomCreateError):
            raise AssertionError(f"cannot create a room: {created}")
        room_id: str = created.room_id

        async def joined() -> bool:
            room = self.client.rooms.get(room_id)
            return room is not None and bot_user_id in room.users and room.encrypted

        await until(joined, 20, "the bot to join the encrypted room")
        await self.know_devices(bot_user_id)
        return room_id

    async def know_devices(self, user_id: str) -> None:
        """Query ``user_id``'s devices until one is known, as Element does before its first
        message: a room key shared before that would reach none of them."""
        async def known() -> bool:
            if any(True for _ in self.client.device_store.active_user_devices(user_id)):
                return True
            self.client.olm.users_for_key_query.add(user_id)
            await self.client.keys_query()
            return False

        await until(known, 20, f"the devices of {user_id}")

    async def send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        response = await self.client.room_send(room_id, event_type, content,
                                               ignore_unverified_devices=True)
        if isinstance(response, RoomSendError):
            raise AssertionError(f"cannot send: {response}")
        return str(response.event_id)

    async def say(self, room_id: str, body: str) -> str:
        return await self.send(room_id, "m.room.message", {"msgtype": "m.text", "body": body})

    async def vote(self, room_id: str, poll_event_id: str, answer_id: str) -> str:
        content = {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_event_id},
                   POLL_RESPONSE: {"answers": [answer_id]}}
        return await self.send(room_id, POLL_RESPONSE, content)

    def seen(self, room_id: str, sender: str) -> list[Event]:
        return [e for e in self.events.get(room_id, []) if e.get("sender") == sender]

    async def wait_for(self, room_id: str, sender: str, predicate: Callable[[Event], bool],
                       timeout: float = 20) -> Event:
        """The first decrypted event from ``sender`` matching ``predicate``."""
        found: list[Event] = []

        async def matched() -> bool:
            found[:] = [e for e in self.seen(room_id, sender) if predicate(e)]
            return bool(found)

        await until(matched, timeout, f"a matching event from {sender} (undecryptable: "
                    f"{self.undecryptable.get(room_id)}, seen: {self.seen(room_id, sender)},"
                    f" sync task: {self._task})")
        return found[0]
