"""`Residents`: test users acting through the raw client-server API v3 over aiohttp.

Every call takes the `MatrixUser` who acts; answers are plain JSON dictionaries, failures
raise `MatrixApiError` with the Matrix error code.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
from yarl import URL

from .synapse import MatrixUser

API = "/_matrix/client/v3"
UNSTABLE_RESPONSE = "org.matrix.msc3381.poll.response"
STABLE_RESPONSE = "m.poll.response"

Event = dict[str, Any]


class MatrixApiError(Exception):
    """A non-2xx answer: HTTP status, `errcode`, `error` and, for 429, `retry_after_ms`."""

    def __init__(self, status: int, body: Mapping[str, Any], what: str) -> None:
        self.status = status
        self.errcode = str(body.get("errcode", ""))
        self.error = str(body.get("error", ""))
        retry = body.get("retry_after_ms")
        self.retry_after_ms: int | None = int(retry) if retry is not None else None
        super().__init__(f"{what} → {status} {self.errcode}: {self.error}")


def _segment(value: str) -> str:
    """Percent-encode one path segment (`!`, `@`, `$`, `:` included)."""
    return quote(value, safe="")


class Residents:
    """Bound to one homeserver and one aiohttp session (the caller closes the session)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self._txn = itertools.count()
        self._txn_prefix = uuid.uuid4().hex[:8]

    async def request(
        self, user: MatrixUser, method: str, path: str, body: Mapping[str, Any] | None = None,
        query: Mapping[str, str | int] | None = None,
    ) -> dict[str, Any]:
        """One authenticated call; ``path`` is already encoded and relative to the v3 API."""
        url = f"{self.base_url}{API}{path}"
        if query:
            url += "?" + urlencode(query)
        headers = {"Authorization": f"Bearer {user.access_token}"}
        async with self.session.request(
            method, URL(url, encoded=True), json=body, headers=headers
        ) as answer:
            data = await answer.json(content_type=None)
            if answer.status >= 300:
                raise MatrixApiError(answer.status, data or {}, f"{method} {path}")
            result: dict[str, Any] = data
            return result

    async def create_room(
        self, user: MatrixUser, name: str | None = None, *, invite: Iterable[str] = (),
        is_direct: bool = False, preset: str = "private_chat",
        power_levels: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None,
    ) -> str:
        """Create a room and return its id; `power_levels` overrides the default content."""
        body: dict[str, Any] = {"preset": preset, "invite": list(invite), "is_direct": is_direct}
        if name is not None:
            body["name"] = name
        if power_levels is not None:
            body["power_level_content_override"] = dict(power_levels)
        body.update(extra or {})
        return str((await self.request(user, "POST", "/createRoom", body))["room_id"])

    async def create_dm(self, user: MatrixUser, bot_user_id: str) -> str:
        """A private direct chat with the bot invited, as Element creates one."""
        return await self.create_room(
            user, invite=[bot_user_id], is_direct=True, preset="trusted_private_chat"
        )

    async def invite(self, user: MatrixUser, room_id: str, other_user_id: str) -> None:
        await self._membership(user, room_id, "invite", {"user_id": other_user_id})

    async def join(self, user: MatrixUser, room_id: str) -> None:
        await self.request(user, "POST", f"/join/{_segment(room_id)}", {})

    async def leave(self, user: MatrixUser, room_id: str) -> None:
        await self._membership(user, room_id, "leave", {})

    async def kick(self, user: MatrixUser, room_id: str, target: str, reason: str = "") -> None:
        await self._membership(user, room_id, "kick", {"user_id": target, "reason": reason})

    async def ban(self, user: MatrixUser, room_id: str, target: str, reason: str = "") -> None:
        await self._membership(user, room_id, "ban", {"user_id": target, "reason": reason})

    async def send_event(
        self, user: MatrixUser, room_id: str, event_type: str, content: Mapping[str, Any]
    ) -> str:
        """Send any message event type; return its event id."""
        txn = f"{self._txn_prefix}-{next(self._txn)}"
        path = f"/rooms/{_segment(room_id)}/send/{_segment(event_type)}/{txn}"
        return str((await self.request(user, "PUT", path, content))["event_id"])

    async def send_text(self, user: MatrixUser, room_id: str, body: str) -> str:
        return await self.send_event(user, room_id, "m.room.message",
                                     {"msgtype": "m.text", "body": body})

    async def vote_unstable(
        self, user: MatrixUser, room_id: str, poll_event_id: str, answer_ids: Iterable[str]
    ) -> str:
        """An MSC3381 poll response, as Element sends today."""
        content = {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_event_id},
                   UNSTABLE_RESPONSE: {"answers": list(answer_ids)}}
        return await self.send_event(user, room_id, UNSTABLE_RESPONSE, content)

    async def vote_stable(
        self, user: MatrixUser, room_id: str, poll_event_id: str, answer_ids: Iterable[str]
    ) -> str:
        """A Matrix 1.7+ `m.poll.response`."""
        content = {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_event_id},
                   "m.selections": list(answer_ids)}
        return await self.send_event(user, room_id, STABLE_RESPONSE, content)

    async def messages(self, user: MatrixUser, room_id: str, limit: int = 100) -> list[Event]:
        """The room's latest `limit` timeline events, oldest first."""
        answer = await self.request(user, "GET", f"/rooms/{_segment(room_id)}/messages",
                                    query={"dir": "b", "limit": limit})
        return list(reversed(answer.get("chunk", [])))

    async def wait_for_event(
        self, user: MatrixUser, room_id: str, predicate: Callable[[Event], bool],
        timeout: float = 10.0,
    ) -> Event:
        """Poll `/messages` (bounded) until an event matches; return the oldest match."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for event in await self.messages(user, room_id):
                if predicate(event):
                    return event
            if loop.time() >= deadline:
                raise AssertionError(f"no matching event in {room_id} after {timeout} s")
            await asyncio.sleep(0.05)

    async def joined_rooms(self, user: MatrixUser) -> list[str]:
        return list((await self.request(user, "GET", "/joined_rooms"))["joined_rooms"])

    async def joined_members(self, user: MatrixUser, room_id: str) -> list[str]:
        answer = await self.request(user, "GET", f"/rooms/{_segment(room_id)}/joined_members")
        return sorted(answer["joined"])

    async def set_power_level(
        self, user: MatrixUser, room_id: str, target_user_id: str, level: int
    ) -> None:
        """Read the room's power levels, change one user's, write them back."""
        path = f"/rooms/{_segment(room_id)}/state/m.room.power_levels/"
        content = await self.request(user, "GET", path)
        content.setdefault("users", {})[target_user_id] = level
        await self.request(user, "PUT", path, content)

    async def _membership(
        self, user: MatrixUser, room_id: str, action: str, body: Mapping[str, Any]
    ) -> None:
        await self.request(user, "POST", f"/rooms/{_segment(room_id)}/{action}", body)
