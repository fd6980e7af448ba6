"""What the adapter keeps between runs: the options each number may answer, and the SMS
parts sent lately (Android's limit outlives a restart of the bot).

Kept in the platform's state, keyed by the resident's pseudonym, never by the number.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from animabot.store.state import PlatformState

SENT_KEY = "parts_sent"


@dataclass(frozen=True)
class OpenOptions:
    """The latest SMS with numbered options sent to someone: its reference and the signed
    action each number (1-based) stands for."""

    ref: str
    actions: tuple[str, ...]


class Memory:
    """Over :class:`PlatformState` when the bot has a database, in memory otherwise."""

    def __init__(self, state: PlatformState | None) -> None:
        self.state = state
        self._local: dict[str, str] = {}

    async def _get(self, key: str) -> str | None:
        return await self.state.get(key) if self.state is not None else self._local.get(key)

    async def _set(self, key: str, value: str) -> None:
        if self.state is not None:
            await self.state.set(key, value)
        else:
            self._local[key] = value

    async def options(self, pseudonym: str) -> OpenOptions | None:
        raw = await self._get(f"options:{pseudonym}")
        if not raw:
            return None
        data = json.loads(raw)
        return OpenOptions(data["ref"], tuple(data["actions"]))

    async def remember(self, pseudonym: str, options: OpenOptions) -> None:
        await self._set(f"options:{pseudonym}",
                        json.dumps({"ref": options.ref, "actions": list(options.actions)}))

    async def close(self, pseudonym: str, ref: str | None = None) -> None:
        """Forget the open options (all, or only if they belong to message ``ref``)."""
        found = await self.options(pseudonym)
        if found is not None and (ref is None or found.ref == ref):
            await self._set(f"options:{pseudonym}", "")

    async def load_sent(self) -> list[float]:
        raw = await self._get(SENT_KEY)
        return [float(x) for x in json.loads(raw)] if raw else []

    async def save_sent(self, moments: list[float]) -> None:
        await self._set(SENT_KEY, json.dumps([round(m, 3) for m in moments]))


class PartsBudget:
    """At most ``limit`` SMS parts in any ``span`` seconds (wall clock, kept across runs)."""

    def __init__(self, limit: int, span: float, now: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.span = span
        self._now = now
        self.sent: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self.sent and self.sent[0] <= now - self.span:
            self.sent.popleft()

    def wait_for(self, parts: int) -> float:
        """Seconds until ``parts`` more fit (0: now). More than the limit never fits: it is
        let through alone once the window is empty, as the phone's owner would allow it."""
        now = self._now()
        self._trim(now)
        over = len(self.sent) + min(parts, self.limit) - self.limit
        if over <= 0:
            return 0.0
        return max(0.0, self.sent[over - 1] + self.span - now)

    def take(self, parts: int) -> None:
        now = self._now()
        self.sent.extend([now] * parts)

    def load(self, moments: list[float]) -> None:
        self.sent = deque(sorted(moments))
        self._trim(self._now())
