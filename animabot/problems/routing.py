"""Reports reach their service: each due report is sent by e-mail or webhook, once.

A report is written first (``route_due_at`` set), so a relay down, a webhook refusing or a
crash half-way never loses it: the failure is recorded with its words and the report is tried
again later, with a growing pause, up to ``[reports] route_attempts``; then it waits for a
person (``animabot reports list`` shows the fault). A service that got it twice after a crash
can tell by the report's number (and the e-mail's Message-ID, derived from it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib.metadata import entry_points
from typing import cast

import aiohttp

from ..clock import Clock
from ..config import Settings
from ..config.reports import ReportRoute
from ..errors import AnimabotError, RoutingError
from ..store.problem_reports import ProblemReport
from ..store.stores import Stores
from .dispatch import (
    EVENT_HEADER,
    SIGNATURE_HEADER,
    ReportMailer,
    service_message,
    sign,
    webhook_body,
)
from .photos import PhotoStore, photo_folder
from .status import tell_reporter

log = logging.getLogger(__name__)
MAILERS = "animabot.report_mailers"
FIRST_PAUSE = timedelta(seconds=30)
LONGEST_PAUSE = timedelta(hours=6)
WEBHOOK_TIMEOUT = 20.0
ROUTED_BY = "routing"


def pause_after(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min… up to 6 h between tries."""
    pause: timedelta = FIRST_PAUSE * (2 ** max(0, attempts - 1))
    return min(LONGEST_PAUSE, pause)


def load_mailer(settings: Settings) -> ReportMailer | None:
    """The ``[email]`` relay's sender, from the adapter that brings it (entry point), or
    None when it is not installed or not enabled."""
    for point in entry_points(group=MAILERS):
        try:
            make = cast(Callable[[Settings], ReportMailer | None], point.load())
        except ImportError:
            continue
        mailer = make(settings)
        if mailer is not None:
            return mailer
    return None


class ReportRouter:
    def __init__(self, stores: Stores, settings: Settings, clock: Clock,
                 webhook_secret: bytes, mailer: ReportMailer | None = None) -> None:
        self.stores = stores
        self.settings = settings
        self.clock = clock
        self.secret = webhook_secret
        self.mailer = mailer
        self.photos = PhotoStore(photo_folder(settings))
        self.on_change: Callable[[], None] = lambda: None  # a notice was queued: wake the drain
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def route_due(self) -> int:
        """Try every due report once; how many reached their service."""
        reached = 0
        for report in await self.stores.problem_reports.due_for_routing(self.clock.now()):
            try:
                await self.route(report)
            except AnimabotError as exc:
                await self._failed(report, str(exc))
                continue
            now = self.clock.now()
            async with self.stores.database.unit():
                moved = await self.stores.problem_reports.routed(report.id, ROUTED_BY, now)
                if moved.status is not report.status:
                    await tell_reporter(self.stores.database, moved, now,
                                        self.settings.bot.language)
            self.on_change()
            log.info("problem report %d sent to its service", report.id)
            reached += 1
        return reached

    async def route(self, report: ProblemReport) -> None:
        category = self.settings.reports.category(report.category)
        if category is None:
            raise RoutingError(f"the category {report.category!r} is no longer configured")
        route = category.route(report.neighbourhood_id)
        hood = next((h.name for h in self.settings.neighbourhoods
                     if h.id == report.neighbourhood_id), None)
        photo = self.photos.read(report.photo_ref) if report.photo_ref else None
        if route.email is not None:
            if self.mailer is None:
                raise RoutingError("no e-mail relay: write [email] smtp_host and from_address "
                                  "([email] enabled may stay false)")
            await self.mailer.send(route.email, service_message(report, category, hood, photo),
                                   key=f"report-{report.id}")
        else:
            await self._post(route, webhook_body(report, category, hood, photo))

    async def _post(self, route: ReportRoute, body: bytes) -> None:
        assert route.webhook is not None
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, self.secret),
                   EVENT_HEADER: "report.created"}
        timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session, \
                    session.post(route.webhook, data=body, headers=headers) as response:
                if response.status >= 300:
                    raise RoutingError(f"the webhook answered HTTP {response.status}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RoutingError(f"the webhook could not be reached ({type(exc).__name__})"
                               ) from exc

    async def _failed(self, report: ProblemReport, error: str) -> None:
        attempts = report.route_attempts + 1
        limit = self.settings.reports.route_attempts
        retry: datetime | None = None
        if attempts < limit:
            retry = self.clock.now() + pause_after(attempts)
            log.warning("problem report %d could not reach its service (%s): again in %s",
                        report.id, error, retry - self.clock.now())
        else:
            log.error("problem report %d could not reach its service after %d tries (%s): "
                      "`animabot reports route %d` once the route is fixed", report.id,
                      attempts, error, report.id)
        await self.stores.problem_reports.routing_failed(report.id, error, retry)

    # The running bot: a loop woken when a report is made, and every few seconds anyway.

    def poke(self) -> None:
        self._wake.set()

    def start(self, every: float = 5.0) -> None:
        self._task = asyncio.create_task(self._loop(every), name="animabot-report-routing")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self, every: float) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(every):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.route_due()
            except Exception:  # a storage fault: the next tick tries again
                log.exception("routing problem reports failed; trying again shortly")
