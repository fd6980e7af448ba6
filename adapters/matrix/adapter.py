"""The Matrix adapter: matrix-nio for HTTP, our own sync loop for durability.

nio advances its sync token before callbacks run and stores it only with an encryption store,
so the loop here hands each batch's events to the core (whose inbox journals and
deduplicates them) and saves ``next_batch`` after. On resume a limited timeline is filled
from ``/messages`` so that no vote cast while the bot was down is lost; a first sync (no saved
token) acts on nothing old. Sends carry a transaction id derived from the delivery key, so a
retried send is dropped by the homeserver: Matrix sends are idempotent.

With ``encryption = true`` nio decrypts in place (polls arrive as ``UnknownEvent``), and the
loop does between syncs what ``sync_forever`` would: upload, query and claim keys and send
queued to-device messages. ``sync_forever`` itself is not used: it advances the token before
the core has journaled, and on a server error it syncs again at once, without backing off.

A batch's rooms are handled concurrently, each room's events in order (see
:mod:`animabot.chat.ordering`): a notice sent to one resident does not hold up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

from aiohttp import ClientError
from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    JoinedMembersError,
    MessageDirection,
    RoomMessagesError,
    RoomSendError,
    SyncError,
)
from nio.exceptions import (  # type: ignore[import-untyped]
    EncryptionError,
    LocalProtocolError,
    OlmTrustError,
)

from animabot.chat.contract import InboundHandler
from animabot.chat.events import BotJoinedChat, BotLeftChat, ChatRef
from animabot.chat.ordering import KeyedSerialExecutor
from animabot.chat.outgoing import OutgoingMessage, SendResult, Target
from animabot.config import Settings
from animabot.delivery.pacing import RateLimits
from animabot.errors import AnimabotError, ChatUnreachableError, StorageError, TransientError
from animabot.privacy.pseudonyms import Pseudonymizer
from animabot.redaction import register_secret
from animabot.store.state import PlatformState

from .e2e import EndToEnd
from .encryption import client_config, pickle_key, prepare_store
from .errors import translate_error
from .inbound import PLATFORM, EventTranslator, since_invited, when
from .login import log_in
from .media import fetch_media
from .outbound import POLL_START, render
from .rooms import DIRECT, GROUP, RoomBook
from .settings import MatrixSettings, matrix_settings

log = logging.getLogger(__name__)
NOTHING = {"not_types": ["*"]}
MAX_BACKFILL_PAGES = 20
MAX_BACKOFF = 60.0
ROOMS_AT_ONCE = 32  # rooms of a sync batch handled concurrently
ENCRYPTED = "m.room.encrypted"
UNTRUSTED_DEVICE = (
    "Ce message vient d'une session que vous n'avez pas vérifiée : vérifiez-la depuis une autre"
    " session, puis renvoyez-le. · This message came from a session you have not verified:"
    " verify it from another session, then send it again.")
UNREADABLE = ("Je n'ai pas pu déchiffrer votre dernier message : renvoyez-le, s'il vous plaît."
              " · I could not decrypt your last message: please send it again.")


def transaction_id(key: str) -> str:
    return "animabot-" + hashlib.sha256(key.encode()).hexdigest()[:40]


class MatrixAdapter:
    platform = PLATFORM
    idempotent_sends = True  # transaction ids: the homeserver drops a repeated send
    private_buttons_in_groups = False  # votes in a room are visible to its members

    def __init__(self, settings: Settings, pseudonymize: Pseudonymizer,
                 state: PlatformState | None, name: str = PLATFORM) -> None:
        self.platform = name  # matrix, or a commune's own bot: matrix.<commune>
        self.config: MatrixSettings = matrix_settings(settings)
        self.settings = settings
        self.state = state
        self.pseudonymize = pseudonymize
        self.facilitators = set(settings.facilitators.ids(PLATFORM))
        self.max_photo_bytes = settings.reports.max_photo_bytes
        self.limits = RateLimits(global_per_second=self.config.rate,
                                 global_burst=self.config.burst)
        self.max_in_flight = self.config.in_flight  # the worker's lane (transaction ids: safe)
        self._sharing = asyncio.Lock()  # one encrypted send at a time: nio's key sharing
        self.client = self._client(None)
        self.e2e: EndToEnd | None = None  # set at start when encryption is on
        self.rooms = RoomBook(state)
        self.handler: InboundHandler | None = None
        self.translator: EventTranslator | None = None
        self._task: asyncio.Task[None] | None = None
        self.led = False  # several workers: sync only while this one leads
        self._last_ts = 0
        self.timeline_limit = 100  # events per room per sync; a gap beyond is filled
        self._since: str | None = None
        self.inbound = KeyedSerialExecutor(ROOMS_AT_ONCE)

    def _client(self, key: str | None) -> AsyncClient:
        store = {"store_path": str(self.config.store_path)} if key else {}
        return AsyncClient(self.config.homeserver, self.config.user_id,
                           device_id=self.config.device_id or None,
                           config=client_config(self.config, key), **store)

    # --- life cycle ----------------------------------------------------------------------
    async def start(self, handler: InboundHandler) -> None:
        """Log in, catch up, start syncing. Cancellable (a stop during a long catch-up after
        downtime); on failure or cancellation the HTTP session is closed here, as ``stop``
        is only called for an adapter that started."""
        try:
            await self._start(handler)
        except BaseException:
            await self.client.close()
            raise

    async def _start(self, handler: InboundHandler) -> None:
        self.handler = handler
        if self.config.encryption:
            prepare_store(self.config)
            key = pickle_key(self.settings)
            register_secret(key)
            self.client = self._client(key)
        await log_in(self.client, self.settings, self.state)
        if self.config.encryption:
            self.e2e = EndToEnd(self.settings, self.client)
            await self.e2e.start()
        await self.rooms.load()
        self.translator = EventTranslator(
            self.pseudonymize, self.config.user_id, self.facilitators, self.rooms,
            self._power_level, self._fetch_media, platform=self.platform,
        )
        self._since = await self._state("next_batch")
        self._last_ts = int(await self._state("last_ts") or 0)
        # One sync before returning: pending invitations are answered and rooms known before
        # the worker sends anything (a send to a room not yet joined would be refused).
        if not await self._sync_once():
            raise AnimabotError(f"cannot sync with {self.config.homeserver}: see the log above")
        await self._join_configured_rooms()
        if not self.led:
            await self.start_receiving()
        log.info("matrix bot %s started on %s", self.config.user_id, self.config.homeserver)

    async def _join_configured_rooms(self) -> None:
        for hood in self.settings.neighbourhoods:
            for room_id in hood.addresses(PLATFORM):  # its commune's only
                if room_id not in self.client.rooms:
                    joined = await self.client.join(room_id)
                    if hasattr(joined, "room_id"):
                        await self.rooms.set_kind(room_id, GROUP)
                    else:
                        log.warning("cannot join the configured room of %s: %s", hood.id, joined)

    async def start_receiving(self) -> None:
        """Sync on from the saved position (with several workers, the leader only)."""
        if self._task is None:
            self._task = asyncio.create_task(self._sync_loop(), name="matrix-sync")

    async def stop_receiving(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def stop(self) -> None:
        await self.stop_receiving()
        await self.inbound.close()
        await self.client.close()

    async def _state(self, key: str) -> str | None:
        return await self.state.get(key) if self.state is not None else None

    # --- inbound -------------------------------------------------------------------------
    async def _sync_loop(self) -> None:
        backoff = 1.0
        while True:
            try:
                if await self._sync_once():
                    backoff = 1.0
                    continue
            except StorageError as exc:
                # Reported once by the database; the position was not saved, so the same
                # events come again (the inbox drops those already handled).
                log.debug("storage unavailable during a sync (%s): retrying", exc)
            except Exception:  # the loop must outlive a bug on one batch
                log.exception("a Matrix sync batch failed: retrying from the same position")
            await asyncio.sleep(backoff)
            backoff = min(MAX_BACKOFF, backoff * 2)

    async def _sync_once(self) -> bool:
        """One /sync: hand its events to the core, then save the position. False on failure."""
        first = self._since is None
        try:
            response = await self.client.sync(
                timeout=0 if first else self.config.sync_timeout * 1000,
                sync_filter=self._filter(), since=self._since, full_state=first,
            )
        except (ClientError, TimeoutError) as exc:
            response = exc
        if isinstance(response, SyncError | Exception):
            log.warning("Matrix sync failed: %s", response)
            return False
        await self._handle_batch(response, act_on_timeline=not first)
        self._since = response.next_batch
        if self.state is not None:
            await self.state.set("next_batch", response.next_batch)
            await self.state.set("last_ts", str(self._last_ts))
        if self.e2e is not None:
            await self.e2e.maintain_keys()
        return True

    def _filter(self) -> dict[str, Any]:
        """Timeline events, room state with lazy-loaded members; no presence, typing,
        receipts or account data: the bot does not need them."""
        room = {"timeline": {"limit": self.timeline_limit},
                "state": {"lazy_load_members": True},
                "ephemeral": NOTHING, "account_data": NOTHING}
        return {"room": room, "presence": NOTHING, "account_data": NOTHING}

    async def _handle_batch(self, response: Any, act_on_timeline: bool) -> None:
        for room_id, info in response.rooms.invite.items():
            await self._on_invite(room_id, info.invite_state)
        for room_id in response.rooms.leave:
            await self._on_left(room_id)
        for room_id, info in response.rooms.join.items():
            if self.e2e is not None:
                await self.e2e.screen(info.timeline.events, act_on_timeline)
            events = [e.source for e in info.timeline.events]
            if not act_on_timeline:
                self._last_ts = max([self._last_ts, *[
                    e.get("origin_server_ts", 0) for e in events]])
                continue
            self.inbound.submit(room_id, partial(self._handle_room, room_id, info, events))
        errors = await self.inbound.drain()
        if errors:  # the position is not saved: the batch comes again, the inbox dedupes
            raise next((e for e in errors if isinstance(e, StorageError)), errors[0])

    async def _handle_room(self, room_id: str, info: Any, events: list[dict[str, Any]]) -> None:
        """One room's part of a batch, in order (other rooms' parts run meanwhile)."""
        since_join = since_invited(events, self.config.user_id)
        if since_join is not None:  # joined in this batch: what came before is not ours
            events = since_join
        elif info.timeline.limited and info.timeline.prev_batch:
            events = await self._backfill(room_id, info.timeline.prev_batch) + events
        for event in events:
            await self._dispatch(room_id, event)

    async def _backfill(self, room_id: str, token: str) -> list[dict[str, Any]]:
        """Events older than the timeline and newer than the last one handled, oldest first."""
        older: list[dict[str, Any]] = []
        for _ in range(MAX_BACKFILL_PAGES):
            page = await self.client.room_messages(room_id, start=token,
                                                   direction=MessageDirection.back, limit=100)
            if isinstance(page, RoomMessagesError) or not page.chunk:
                break
            if self.e2e is not None:
                await self.e2e.screen(page.chunk, acting=True)
            fresh = [e.source for e in page.chunk
                     if e.source.get("origin_server_ts", 0) > self._last_ts]
            older.extend(fresh)
            if len(fresh) < len(page.chunk) or not page.end or page.end == token:
                break
            token = page.end
        older.sort(key=lambda e: e.get("origin_server_ts", 0))
        log.info("filled a gap of %d events in a room after a limited sync", len(older))
        return older

    async def _dispatch(self, room_id: str, event: dict[str, Any]) -> None:
        assert self.handler is not None and self.translator is not None
        self._last_ts = max(self._last_ts, int(event.get("origin_server_ts", 0)))
        if event.get("type") == "m.room.member":
            await self._on_member(room_id, event)
            return
        room = self.client.rooms.get(room_id)
        direct = self.rooms.kind(room_id, room.joined_count if room else None) == DIRECT
        if event.get("type") == ENCRYPTED:  # still encrypted: nio had no key for it
            if direct and event.get("sender") != self.config.user_id:
                await self._notice(room_id, UNREADABLE)  # the resident can say it again
            return
        if self.e2e is not None and event.get("event_id") in self.e2e.refused:
            self.e2e.refused.discard(event.get("event_id", ""))
            log.warning("ignored a message from a resident's device that the trust policy"
                        " holds back")
            if direct:
                await self._notice(room_id, UNTRUSTED_DEVICE)
            return
        neutral = await self.translator.translate(
            room_id, event, direct, room.display_name if room else ""
        )
        if neutral is None:
            return
        notice = await self.handler(neutral)
        if notice and direct:
            await self._notice(room_id, notice)

    async def _fetch_media(self, content: dict[str, Any]) -> bytes | None:
        """An m.image from the homeserver's media repository (authenticated media, through
        nio), decrypted with the event's key in an encrypted room."""
        return await fetch_media(self.client, content, self.max_photo_bytes)

    async def _notice(self, room_id: str, text: str) -> None:
        try:
            response = await self._room_send(room_id, "m.room.message",
                                             {"msgtype": "m.notice", "body": text})
        except (AnimabotError, ClientError, TimeoutError) as exc:
            response = exc
        if isinstance(response, RoomSendError | Exception):
            log.info("could not show a notice: %s", response)

    async def _on_invite(self, room_id: str, invite_state: list[Any]) -> None:
        assert self.handler is not None
        mine = [e for e in invite_state if getattr(e, "state_key", None) == self.config.user_id
                and getattr(e, "membership", None) == "invite"]
        if not mine:
            return
        inviter = mine[-1].sender
        direct = bool((getattr(mine[-1], "content", None) or {}).get("is_direct"))
        if not direct and inviter not in self.facilitators:
            log.info("declined an invitation to a room from someone who is not a facilitator")
            await self.client.room_leave(room_id)
            return
        joined = await self.client.join(room_id)
        if not hasattr(joined, "room_id"):
            log.warning("could not join an invited room: %s", joined)
            return
        if self.client.olm is None and await self._encrypted(room_id):
            log.warning("left an encrypted room the bot was invited to: set [matrix]"
                        " encryption = true so that the bot can read and write there")
            await self.client.room_leave(room_id)
            return
        await self.rooms.set_kind(room_id, DIRECT if direct else GROUP)
        if not direct:  # replays re-register the room: harmless
            now = datetime.now(UTC)
            await self.handler(BotJoinedChat(f"invite:{room_id}:{now.timestamp()}",
                                             ChatRef(self.platform, room_id, False), None, now))

    async def _encrypted(self, room_id: str) -> bool:
        """Whether a room has encryption on (nio drops that state from invitations)."""
        answer = await self.client.room_get_state_event(room_id, "m.room.encryption")
        return isinstance((getattr(answer, "content", None) or {}).get("algorithm"), str)

    async def _on_left(self, room_id: str) -> None:
        assert self.handler is not None
        if self.rooms.kind(room_id, None) == GROUP:
            await self.handler(BotLeftChat(f"left:{room_id}:{self.client.next_batch}",
                                           ChatRef(self.platform, room_id, False), None,
                                           datetime.now(UTC)))

    async def _on_member(self, room_id: str, event: dict[str, Any]) -> None:
        """A resident leaving their direct room: no more private messages there."""
        assert self.handler is not None and self.translator is not None
        user = event.get("state_key", "")
        membership = (event.get("content") or {}).get("membership")
        if user == self.config.user_id or membership not in ("leave", "ban"):
            return
        if self.rooms.kind(room_id, None) == DIRECT:
            sender = self.translator.sender(room_id, user, True)
            left = ChatRef(self.platform, "", True)
            await self.handler(BotLeftChat(event.get("event_id", ""), left, sender, when(event)))
            await self.client.room_leave(room_id)

    def _power_level(self, room_id: str, user_id: str) -> int:
        room = self.client.rooms.get(room_id)
        return int(room.power_levels.get_user_level(user_id)) if room else 0

    # --- outbound ------------------------------------------------------------------------
    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        room_id = target.address
        direct = target.private or self.rooms.kind(room_id, None) == DIRECT
        event_type, content, actions = render(message, direct=direct,
                                              bot_user_id=self.config.user_id)
        try:
            response = await self._room_send(room_id, event_type, content,
                                             tx_id=transaction_id(key))
        except (ClientError, TimeoutError) as exc:
            raise TransientError(f"Matrix request failed: {exc!r}") from exc
        if isinstance(response, RoomSendError):
            raise translate_error(response)
        if actions and direct:
            await self.rooms.remember_actions(room_id, actions)
        if event_type == POLL_START:  # a numbered reply to it is a vote, in any room
            await self.rooms.remember_poll(response.event_id, actions)
        ref = message.edit_ref if message.edit_ref else response.event_id
        return SendResult(ref, poll_ref=response.event_id if event_type == POLL_START else None)

    async def _room_send(self, room_id: str, event_type: str, content: dict[str, Any],
                         tx_id: str | None = None) -> Any:
        """``room_send`` that never posts plaintext into an encrypted room, and decides which
        devices get the room key before nio shares it."""
        room = self.client.rooms.get(room_id)
        encrypted = room.encrypted if room is not None else (
            self.client.olm is None and await self._encrypted(room_id))
        if encrypted:
            if room is None or self.e2e is None:
                raise ChatUnreachableError("the room is encrypted and [matrix] encryption is"
                                           " off: nothing is sent there in plaintext")
            async with self._sharing:
                await self.e2e.prepare_send(room)
                return await self._room_send_now(room_id, event_type, content, tx_id)
        return await self._room_send_now(room_id, event_type, content, tx_id)

    async def _room_send_now(self, room_id: str, event_type: str, content: dict[str, Any],
                             tx_id: str | None) -> Any:
        try:
            return await self.client.room_send(
                room_id, event_type, content, tx_id=tx_id,
                ignore_unverified_devices=self.config.trust == "unverified")
        except (LocalProtocolError, OlmTrustError, EncryptionError) as exc:
            raise TransientError(f"Matrix could not encrypt for {room_id}: {exc}") from exc

    async def member_count(self, address: str) -> int | None:
        response = await self.client.joined_members(address)
        if isinstance(response, JoinedMembersError):
            raise translate_error(response)
        return max(0, len(response.members) - 1)  # everyone but the bot

