"""Who may read the dashboard: agents holding a token whose SHA-256 is in ``[web] agents``.

Only hashes are configured, so the configuration file never holds a usable secret. A browser
trades its token once for a session cookie (a random id kept here, in memory, until it
expires or the process stops); scripts send ``Authorization: Bearer <token>`` on each request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import Clock
from ..config import WebAgent

SESSION_COOKIE = "animabot_session"
TOKEN_BYTES = 32  # 256 bits: guessing is hopeless, so failed logins need no rate limit


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class AgentDirectory:
    """The configured agents, recognised by their token."""

    def __init__(self, agents: Iterable[WebAgent]) -> None:
        self._agents = [(agent.name, agent.token_sha256.encode("ascii")) for agent in agents]

    def __bool__(self) -> bool:
        return bool(self._agents)

    def identify(self, token: str) -> str | None:
        """The agent's name, or None. Every hash is compared, in constant time, so the time
        taken says nothing about which agent (if any) came close."""
        digest = hash_token(token).encode("ascii")
        found = None
        for name, expected in self._agents:
            if hmac.compare_digest(digest, expected) and found is None:
                found = name
        return found


@dataclass(frozen=True)
class Session:
    agent: str
    expires_at: datetime


class SessionStore:
    """Sessions in memory: a restart logs everyone out, which is acceptable for a read-only
    dashboard and leaves nothing to steal on disk."""

    def __init__(self, clock: Clock, lifetime: timedelta) -> None:
        self._clock = clock
        self.lifetime = lifetime
        self._sessions: dict[str, Session] = {}

    def open(self, agent: str) -> str:
        self._forget_expired()
        session_id = secrets.token_urlsafe(TOKEN_BYTES)
        self._sessions[session_id] = Session(agent, self._clock.now() + self.lifetime)
        return session_id

    def agent(self, session_id: str) -> str | None:
        session = self._sessions.get(session_id)
        if session is None:
            return None
        if session.expires_at <= self._clock.now():
            del self._sessions[session_id]
            return None
        return session.agent

    def close(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._sessions)

    def _forget_expired(self) -> None:
        now = self._clock.now()
        for session_id in [s for s, session in self._sessions.items() if session.expires_at <= now]:
            del self._sessions[session_id]


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (the scheme is case-insensitive)."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
