"""Who may read the dashboard: agents holding a token whose SHA-256 is in ``[web] agents``.

Only hashes are configured, so the configuration file never holds a usable secret. A browser
trades its token once for a read-only session (kept in the database like an account's, see
:mod:`animabot.accounts.sessions`); scripts send ``Authorization: Bearer <token>`` on each
request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from ..config import WebAgent
from ..domain.access import Origin, Principal, Role

SESSION_COOKIE = "animabot_session"
CSRF_COOKIE = "animabot_csrf"  # before sign-in only: the login form's double-submit token
CSRF_FIELD = "csrf_token"
TOKEN_BYTES = 32  # 256 bits: guessing is hopeless, so token sign-ins need no rate limit


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class AgentDirectory:
    """The configured agents, recognised by their token."""

    def __init__(self, agents: Iterable[WebAgent]) -> None:
        agents = list(agents)
        self._agents = [(agent.name, agent.token_sha256.encode("ascii")) for agent in agents]
        self._communes = {agent.name: agent.commune for agent in agents}

    def __bool__(self) -> bool:
        return bool(self._agents)

    def __contains__(self, name: object) -> bool:
        """Whether an agent of that name is still configured (a session outlives a restart)."""
        return any(name == agent for agent, _ in self._agents)

    def commune_of(self, name: str) -> str | None:
        """The commune an agent reads the figures of (None: the whole deployment), as the
        configuration says now: a session opened before a change follows it."""
        return self._communes.get(name)

    def principal(self, name: str) -> Principal:
        """The read-only principal of a configured agent."""
        return Principal(name, Role.AGENT, Origin.TOKEN, commune=self.commune_of(name))

    def identify(self, token: str) -> str | None:
        """The agent's name, or None. Every hash is compared, in constant time, so the time
        taken says nothing about which agent (if any) came close."""
        digest = hash_token(token).encode("ascii")
        found = None
        for name, expected in self._agents:
            if hmac.compare_digest(digest, expected) and found is None:
                found = name
        return found


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (the scheme is case-insensitive)."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
