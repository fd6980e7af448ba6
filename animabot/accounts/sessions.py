"""Server-side sessions: a random id in the cookie, its SHA-256 in the database.

A session ends at the first of: its absolute lifetime, an idle time without requests, a
sign-out, a revocation by an administrator, or its account's removal or disabling. Each
request reads the row, so an ending takes effect at the next request, in every process.
Each session holds its own CSRF token, which every form sends back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from ..clock import Clock
from ..domain.access import Principal
from ..store.accounts import SessionRecord, SessionRepository

ID_BYTES = 32  # 256 bits
TOUCH_EVERY = timedelta(minutes=1)  # idle time is measured to the minute: fewer writes
KEPT_AFTER_END = timedelta(days=30)  # ended sessions are deleted a month later


def new_secret() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def session_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def same_secret(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing value never matches."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


@dataclass(frozen=True)
class OpenedSession:
    session_id: str  # goes in the cookie, never stored
    csrf_token: str


class SessionManager:
    def __init__(self, store: SessionRepository, clock: Clock, lifetime: timedelta,
                 idle: timedelta) -> None:
        self._store = store
        self._clock = clock
        self.lifetime = lifetime
        self.idle = idle

    async def open(self, principal: Principal, id_token: str | None = None) -> OpenedSession:
        opened = OpenedSession(new_secret(), new_secret())
        now = self._clock.now()
        await self._store.forget_before(now - KEPT_AFTER_END)  # sign-ins are rare: cheap here
        await self._store.open(session_key(opened.session_id), principal, opened.csrf_token,
                               id_token, now, now + self.lifetime)
        return opened

    async def resolve(self, session_id: str | None) -> SessionRecord | None:
        """The live session behind a cookie, or None (unknown, ended, or its account gone)."""
        if not session_id:
            return None
        key = session_key(session_id)
        record = await self._store.find(key)
        if record is None:
            return None
        now = self._clock.now()
        if now >= record.expires_at or now >= record.seen_at + self.idle:
            await self._store.revoke(key, now)
            return None
        if now - record.seen_at >= TOUCH_EVERY:
            await self._store.touch(key, now)
        return record

    async def close(self, session_id: str) -> None:
        await self._store.revoke(session_key(session_id), self._clock.now())

    async def revoke_all(self, name: str) -> int:
        return await self._store.revoke_all(name, self._clock.now())
