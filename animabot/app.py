"""The composition root of ``animabot run``: everything starts on one AsyncExitStack, so a
failure half-way through start-up stops what had already started, in reverse order."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import AsyncExitStack, suppress
from datetime import timedelta
from typing import Any

from .chat.contract import ChatAdapter, LedReceiver
from .chat.registry import create_adapter, enabled_bots, platform_names
from .clock import Clock, SystemClock
from .config import Settings
from .config.reports import photo_folder
from .core import Core, open_core
from .errors import AnimabotError
from .leading import Leader
from .privacy.retention import purge, purge_reports
from .scheduling import WakeScheduler
from .store.state import PlatformState

log = logging.getLogger(__name__)


def no_adapter_message() -> str:
    """Why ``animabot run`` stops at once, naming every installed adapter's table."""
    tables = ", ".join(f"[{name}]" for name in platform_names())
    return ("no platform is enabled, so there is nothing to run: set enabled = true under one "
            f"of {tables} (with what it needs: a token, a relay, a gateway; [console] chats "
            "in this terminal); or in the environment, e.g. ANIMABOT_TELEGRAM__ENABLED=true")


# A face served beside the bot over its running core and adapters (the residents' public
# pages on [web] listen): it starts on the stack, which stops it first. The CLI passes it, so
# that this composition root does not import the web layer.
Face = Callable[[Core, Mapping[str, ChatAdapter], AsyncExitStack], Awaitable[None]]


async def run_bot(
    settings: Settings, clock: Clock | None = None, stop: asyncio.Event | None = None,
    faces: Sequence[Face] = (),
) -> None:
    """Run the enabled adapters, the scheduler and the worker until SIGINT/SIGTERM or ``stop``;
    and ``faces`` beside them."""
    clock = clock or SystemClock()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    async with AsyncExitStack() as stack:
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Not the main thread, or Windows: no signal handlers, ``stop`` still works.
            with suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
                stack.callback(loop.remove_signal_handler, signum)
        bots = enabled_bots(settings)  # before any file is made: fail fast
        if not bots:
            raise AnimabotError(no_adapter_message())
        core = await stack.enter_async_context(open_core(settings, clock))
        adapters: dict[str, ChatAdapter] = {}

        def quit_console() -> None:
            """Ctrl-D in the terminal: the bot stops if the console was all it ran."""
            if len(adapters) == 1:
                stop.set()
            else:
                log.info("the console was closed; the other platforms keep running")

        for name, (factory, read) in bots.items():  # a commune's own bot reads its table
            state = PlatformState(core.database, name)
            adapters[name] = create_adapter(factory, read, core.pseudonymize, state=state,
                                            quit=quit_console, name=name)
        worker = core.worker(adapters)
        await worker.recover()
        scheduler = WakeScheduler(worker, clock)
        core.services.wake = scheduler.poke
        # Several workers on one database: every one sends, one (the leader) reads each
        # bot's inbound stream; SQLite's one process always leads.
        shared = worker.deliveries.shared
        led = [a for a in adapters.values() if shared and isinstance(a, LedReceiver)]
        for receiver in led:
            receiver.led = True
        for name, adapter in adapters.items():
            if not await _unless_stopped(adapter.start(core.conversation.handle), stop):
                log.info("stopped while adapter %s was starting", name)
                return
            stack.push_async_callback(adapter.stop)
            log.info("adapter %s started", name)
        await scheduler.start()
        stack.push_async_callback(scheduler.stop)
        router = core.report_router()
        router.on_change = scheduler.poke
        core.services.reports_wake = router.poke
        router.start()
        stack.push_async_callback(router.stop)
        for face in faces:
            await face(core, adapters, stack)

        async def gain() -> None:
            for receiver in led:
                await receiver.start_receiving()

        async def lose() -> None:
            for receiver in led:
                await receiver.stop_receiving()

        leader = Leader(core.database.lead("animabot"), worker.name, gain, lose)
        await leader.start()
        stack.push_async_callback(leader.stop)
        if shared:
            async def keep_leases() -> None:
                try:
                    await worker.keep_leases()
                except AnimabotError as exc:  # the storage: tried again at the next tick
                    log.debug("leases not renewed now: %s", exc)

            scheduler.every(keep_leases, worker.lease / 3, first_in=worker.lease / 3)

        async def purge_old_data() -> None:
            if not leader.leading:
                return
            try:
                await purge(core.stores, settings.privacy.retention_days, clock.now())
                await purge_reports(
                    core.stores, settings.reports.retention_days
                    or settings.privacy.retention_days, clock.now(),
                    photo_folder(settings.reports, settings.storage))
            except Exception:  # housekeeping must never stop the bot
                log.exception("the daily retention purge failed; it will run again tomorrow")

        scheduler.every(purge_old_data, timedelta(days=1), first_in=timedelta(minutes=5))

        async def plan_recurring_campaigns() -> None:
            if not leader.leading:
                return
            try:
                if await core.series.materialize():
                    scheduler.poke()
            except Exception:
                log.exception("planning recurring campaigns failed; retrying in 10 minutes")

        scheduler.every(plan_recurring_campaigns, timedelta(minutes=10),
                        first_in=timedelta(seconds=1))
        log.info("animabot running with %s on %s as worker %s; Ctrl-C to stop",
                 ", ".join(adapters), settings.storage.shown(), worker.name)
        await stop.wait()
        log.info("stopping: finishing in-flight sends")


async def _unless_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> bool:
    """Run ``work``, cancelled if ``stop`` comes first: an adapter catching up after downtime
    must not hold off a SIGTERM. True when ``work`` finished (its error is raised)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not task.done():
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        return False
    task.result()
    return True
