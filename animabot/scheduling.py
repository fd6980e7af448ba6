"""APScheduler 3.11 as the wake-up clock; the delivery table stays the source of truth.

One date job fires at the next due delivery; a short interval job notices rows written by
another process (``animabot campaign start`` while the bot runs). Both only *wake* a single
drain loop, so two drains never overlap. No job store: timers are rebuilt from the database
at start, and ``misfire_grace_time=None`` runs a late wake-up however late it is (APScheduler's
default of 1 s would silently drop a wake-up missed during a busy moment).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from .clock import Clock
from .delivery.worker import DeliveryWorker
from .errors import StorageError
from .store.deliveries import DeliveryRepository

log = logging.getLogger(__name__)
WAKE_JOB, WATCH_JOB = "wake-at-next-due", "watch-database"
STOP_GRACE = 5.0  # seconds a stop waits for the sends in flight
MAX_BACKOFF = 15.0  # seconds between drains while the storage cannot be written


class WakeScheduler:
    def __init__(self, worker: DeliveryWorker, clock: Clock, watch_seconds: float = 2.0) -> None:
        self.worker = worker
        self.clock = clock
        self.watch_seconds = watch_seconds
        self.deliveries = DeliveryRepository(worker.database)
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._planned: datetime | None = None

    async def start(self) -> None:
        self._scheduler.start()
        self._scheduler.add_job(
            self._watch, "interval", seconds=self.watch_seconds, id=WATCH_JOB,
            misfire_grace_time=None, coalesce=True, max_instances=1,
        )
        self._loop_task = asyncio.create_task(self._drain_loop(), name="animabot-drain")
        self.poke()

    def every(self, job: Callable[[], Awaitable[object]], interval: timedelta,
              first_in: timedelta) -> None:
        """Housekeeping (retention, recurring campaigns) at a fixed interval."""
        self._scheduler.add_job(
            job, "interval", seconds=interval.total_seconds(),
            id=f"every-{getattr(job, '__name__', 'job')}",
            next_run_time=datetime.now(UTC) + first_in, misfire_grace_time=None,
            coalesce=True, max_instances=1,
        )

    def poke(self) -> None:
        """Drain now (a reply was queued in this process): a drain under way claims it
        before its next broadcast send."""
        self.worker.hurry()
        self._wake.set()

    async def reschedule(self) -> None:
        """Point the wake-up job at the earliest pending delivery."""
        due = await self.deliveries.next_due()
        if due is None:
            self._planned = None
            with contextlib.suppress(Exception):
                self._scheduler.remove_job(WAKE_JOB)
            return
        if due <= self.clock.now():
            self.poke()
            return
        if self._planned == due:
            return
        self._planned = due
        self._scheduler.add_job(
            self.poke, DateTrigger(run_date=due), id=WAKE_JOB, replace_existing=True,
            misfire_grace_time=None, coalesce=True,
        )
        log.debug("next delivery due at %s", due.isoformat())

    async def _watch(self) -> None:
        """The watch job: a storage fault (reported once by the database) waits for the next
        tick instead of logging a traceback every two seconds."""
        try:
            await self.reschedule()
        except StorageError as exc:
            log.debug("watch skipped: %s", exc)

    async def _drain_loop(self) -> None:
        backoff = 1.0
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                handled = await self.worker.drain()
                if handled:
                    log.info("handled %d deliveries", handled)
                self._planned = None
                await self.reschedule()
                backoff = 1.0
            except StorageError as exc:
                # Reported once by the database; claimed rows go back to pending at the next
                # drain. Pause, then try again by ourselves: no wake-up may come otherwise.
                log.debug("delivery drain stopped by the storage (%s): again in %.0f s",
                          exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
                self.poke()
            except Exception:
                log.exception("delivery drain failed; retrying at the next wake-up")

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop waking; let an in-flight drain finish the sends it has started (not its
        batch, nor the backlog: ``docker stop`` kills after 10 s). Sends still running after
        ``grace`` seconds are cut: their rows are recovered at the next start, as after a
        crash."""
        self._scheduler.shutdown(wait=False)
        self.worker.request_stop()
        if self._loop_task is None:
            return
        try:
            async with asyncio.timeout(grace), self.worker.busy:
                pass
        except TimeoutError:
            log.warning("a send was still running %.0f s after the stop: cut short; it is"
                        " recovered at the next start", grace)
        self._loop_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._loop_task
