"""One leader among the workers on one database: it reads each bot's inbound stream (Telegram's
getUpdates, Matrix's sync) and runs the housekeeping; every worker sends.

The lead is the store's (:meth:`Database.lead`: PostgreSQL's advisory lock, on a connection
that dies with its process). Followers try again every ``every`` seconds, so a killed
leader is replaced within about that; the leader checks it still holds the lead as often, and
stops reading at once when it has lost it (its connection broke), before another takes over.
With SQLite (one process) this process always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from .store.database import Lead

log = logging.getLogger(__name__)
TRY_EVERY = 1.0  # seconds between a follower's tries (and the leader's checks)
Callback = Callable[[], Awaitable[None]]


class Leader:
    def __init__(self, lead: Lead, name: str, on_gain: Callback, on_lose: Callback,
                 every: float = TRY_EVERY) -> None:
        self.lead = lead
        self.name = name
        self.on_gain = on_gain
        self.on_lose = on_lose
        self.every = every
        self.leading = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Try once now (one process takes the lead before it returns), then keep trying."""
        await self._step()
        if not self.leading:
            log.info("worker %s follows: another worker reads the platforms", self.name)
        self._task = asyncio.create_task(self._loop(), name="animabot-lead")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self._step()
            except Exception:  # a callback's fault must not end the election
                log.exception("changing the lead failed; trying again")

    async def _step(self) -> None:
        held = await self.lead.take()
        if held and not self.leading:
            self.leading = True
            log.info("worker %s leads: it reads the platforms and runs the housekeeping",
                     self.name)
            await self.on_gain()
        elif not held and self.leading:
            self.leading = False
            log.warning("worker %s lost the lead: it stops reading the platforms", self.name)
            await self.on_lose()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.leading:
            self.leading = False
            await self.on_lose()
        await self.lead.release()
