"""The outbox worker: claim due deliveries, pace them, send through the adapter, record.

A row is claimed before the send (``sending`` as the request leaves, where a resend could
show it twice) and marked ``sent`` with the platform's reference after it. Several sends are
in flight per platform (``lanes``), one at a time per chat; replies and notices are claimed
before broadcasts and looked for between a broadcast's sends. Platform errors never escape:
they become a later retry, a skipped chat, or an ``unknown`` row a facilitator must check.
Nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from ..chat.contract import ChatAdapter
from ..chat.outgoing import SendResult
from ..clock import Clock
from ..domain.addresses import AddressStatus
from ..errors import (
    ChatUnreachableError,
    DeliveryUnknownError,
    PlatformError,
    RateLimitedError,
    RejectedError,
    StorageUnavailableError,
)
from ..store.address_book import AddressBook
from ..store.chats import ChatRepository
from ..store.database import Database
from ..store.deliveries import (
    FAILED,
    INTERACTIVE_PARTS,
    SKIPPED,
    UNKNOWN,
    Delivery,
    DeliveryRepository,
    expand_delivery,
)
from ..store.polls import PollTallyRepository
from ..store.send_pace import ChatName, SharedPace
from .composer import Composer, Defer, Expand, Send, Skip
from .lanes import DEFAULT_IN_FLIGHT, SendLanes
from .notices import chat_lost
from .pacing import Pacer, capped, shared_intervals
from .reach import KEEP_SECONDS, ReachBook

log = logging.getLogger(__name__)
MISSING_ADAPTER_DELAY = timedelta(minutes=10)
SAVE_PATIENCE = 600.0  # seconds a send's outcome waits for the storage before the row is in doubt
FIRST_SAVE_DELAY = 1.0
MAX_SAVE_DELAY = 15.0
LOOK_FOR_REPLIES_EVERY = 1.0  # seconds: replies queued by another process are found too
FORGET_PACE_AFTER = 3600.0  # seconds: a chat's shared pacing row outlives its last send by this


def worker_name() -> str:
    """This process's name in ``delivery.claimed_by`` and the logs: host, pid, a nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class WorkerStats:
    sent: int = 0
    expanded: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


class DeliveryWorker:
    def __init__(
        self, database: Database, adapters: Mapping[str, ChatAdapter], composer: Composer,
        clock: Clock, *, max_attempts: int = 6, batch: int = 100,
        lease: timedelta = timedelta(minutes=2),
        caps: tuple[float | None, float | None] = (None, None), name: str | None = None,
        chat_name: ChatName | None = None,
    ) -> None:
        self.database = database
        self.name = name or worker_name()
        self.adapters = dict(adapters)
        self.composer = composer
        self.clock = clock
        self.max_attempts = max_attempts
        self.batch = batch
        self.queue_per_lane = batch  # sends waiting for one lane's slots before the drain does
        self.lease = lease
        self.deliveries = DeliveryRepository(database)
        self.chats = ChatRepository(database)
        self.address_book = AddressBook(database)
        self.tallies = PollTallyRepository(database)
        # Several workers on one database share each bot's limits through it.
        self.shared_pace = SharedPace(database, chat_name) if self.deliveries.shared else None
        # ``caps`` (overall, per chat: [delivery] in the config) lower every platform's limits.
        self.pacers = {name: Pacer(capped(getattr(a, "limits", None), *caps))
                       for name, a in self.adapters.items()}
        composer.running = set(self.adapters)
        composer.private_copies = {
            name for name, a in self.adapters.items()
            if not getattr(a, "private_buttons_in_groups", True)
        }
        self.lanes = SendLanes({name: getattr(a, "max_in_flight", DEFAULT_IN_FLIGHT)
                                for name, a in self.adapters.items()})
        self.reach = ReachBook(self.deliveries.set_reach)
        self._reach_seeded = False
        self.stats = WorkerStats()
        self.busy = asyncio.Lock()  # held while draining: stopping waits for the sends
        self.stopping = False  # set by ``request_stop``: the drain ends after its sends
        self._unsettled = False  # a batch ended by a fault: its claimed rows wait to be freed
        self._hurry = False  # a reply was queued: look for it before the next send starts
        # Set when a send lands or a reply is queued: what a waiting drain waits for (one
        # event, not asyncio.wait over every task queued: hundreds may wait for a slot).
        self._woken = asyncio.Event()
        self._flight: set[asyncio.Task[None]] = set()
        # The sends in flight per chat: a later row of that chat is composed only once they
        # have landed (a poll's private copies need the poll's reference, a close its send).
        self._chat_flights: dict[int, set[asyncio.Task[None]]] = {}
        self._fault: BaseException | None = None  # the first a send task met this drain
        self._lost: set[tuple[str, str]] = set()  # chats found unreachable this drain

    @property
    def _resend(self) -> bool:
        return all(a.idempotent_sends for a in self.adapters.values())

    async def recover(self) -> None:
        """At start: rows a crashed process left behind. Claimed ones never left: queued
        again. Rows cut while sending go again on idempotent platforms (which drop the
        duplicate); on others they become ``unknown``, never a double. With several workers
        (PostgreSQL) only the rows whose lease has run out: the others' live workers hold
        them (:meth:`keep_leases` reaps the rest later)."""
        if self.deliveries.shared:
            await self.keep_leases()
            return
        count = await self.deliveries.release_in_flight(resend=self._resend)
        if count:
            log.warning(
                "%d deliveries were in flight when the bot stopped: %s", count,
                "queued again (the platforms drop duplicates)" if self._resend
                else "marked unknown; check them with `animabot campaign show`",
            )

    async def keep_leases(self) -> None:
        """While this worker lives, its rows stay its own; rows of a worker that died (their
        lease ran out) are recovered as at start. Run every third of the lease."""
        now = self.clock.now()
        await self.deliveries.keep_leases(self.name, now + self.lease)
        queued, doubt = await self.deliveries.reap_expired(now, resend=self._resend)
        if queued or doubt:
            log.warning("a worker stopped holding deliveries: %d queued again, %d %s", queued,
                        doubt, "queued again (the platforms drop duplicates)" if self._resend
                        else "marked unknown; check them with `animabot campaign show`")
        if self.shared_pace is not None:
            await self.shared_pace.forget_before(FORGET_PACE_AFTER)

    def request_stop(self) -> None:
        """Make the drain return after the sends in flight, not after the whole backlog."""
        self.stopping = True
        self.reach.cancel()

    def hurry(self) -> None:
        """A reply or notice was just queued: claim it before the next broadcast send."""
        self._hurry = True
        self._woken.set()

    async def drain(self) -> int:
        """Send everything due now; returns how many rows were handled. After
        ``request_stop``, the rows not started go back to the queue untouched."""
        async with self.busy:
            await self._requeue_unsettled()
            await self._seed_reach()
            self._fault = None
            self._lost.clear()
            try:
                handled = await self._dispatch()
                await self._land()
                if not self.stopping:
                    await self.reach.settle()
            except asyncio.CancelledError:
                await self._land(cut=True)
                raise
            except BaseException:
                await self._land()  # their outcomes are known: they wait for the storage
                raise
            if self._fault is not None:
                raise self._fault
            self._unsettled = False
            return handled

    async def _seed_reach(self) -> None:
        """Once per worker: the member counts recorded in the last hours, so that a new
        process does not ask the platform for every chat again (one read, not N requests)."""
        if self._reach_seeded:
            return
        self._reach_seeded = True
        now = self.clock.now()
        since = now - timedelta(seconds=KEEP_SECONDS)
        for platform, address, count, when in await self.deliveries.recent_reach(since):
            self.reach.seed(platform, address, count, (now - when).total_seconds())

    async def _dispatch(self) -> int:
        handled, looked = 0, time.monotonic()
        while not self.stopping and self._fault is None:
            self._hurry = False  # a claim takes the replies first
            full = self.lanes.full(self.queue_per_lane)  # their rows wait in the table
            due = deque(await self.deliveries.claim_due(
                self.clock.now(), self.batch, self.lease, worker=self.name,
                skip_platforms=full))
            await self.composer.read_chats(due)
            if not due:
                if not self._flight:
                    return handled
                # Rows may wait for a send in flight (another worker's claim rule: one row
                # in flight per chat), or for room in their lane: look again then.
                await self._next_landing(full)
                continue
            short = len(due) < self.batch  # all that is due now: its sends are started
            self._unsettled = True  # until the drain ends well: a fault leaves rows claimed
            while due:
                if self._fault is not None:  # the storage failed: the next drain frees them
                    break
                if self.stopping:
                    await self.deliveries.unclaim([d.id for d in due])
                    break
                if self._hurry or time.monotonic() - looked > LOOK_FOR_REPLIES_EVERY:
                    self._hurry, looked = False, time.monotonic()
                    replies = await self.deliveries.claim_due(
                        self.clock.now(), self.batch, self.lease, interactive_only=True,
                        worker=self.name)
                    await self.composer.read_chats(replies, fresh=False)
                    due.extendleft(reversed(replies))
                await self.process(due.popleft())
                handled += 1
            if short and self._flight:
                # Look again once one of them lands (or a reply comes), not at once: what
                # is due meanwhile waits for a slot anyway.
                await self._next_landing(full)
        return handled

    async def _next_landing(self, full: list[str]) -> None:
        """Until a send in flight lands, and, if lanes were ``full``, until one of them has
        room again (half its queue); sooner when a reply is queued (``hurry``) or after a
        second (another process's replies). Claiming at each landing of a long broadcast
        would cost a transaction a message for nothing."""
        until = time.monotonic() + LOOK_FOR_REPLIES_EVERY
        while self._flight and not self._hurry:
            self._woken.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), until - time.monotonic())
            if not full or time.monotonic() >= until or any(
                    self.lanes.waiting(lane) < self.queue_per_lane // 2 for lane in full):
                return

    async def _land(self, cut: bool = False) -> None:
        """Wait for the sends in flight to record their outcome; ``cut`` (the drain was
        cancelled: a stop's grace ran out) cancels them, their rows recovered at next start."""
        while self._flight:
            if cut:
                for task in self._flight:
                    task.cancel()
            await asyncio.gather(*self._flight, return_exceptions=True)

    async def _requeue_unsettled(self) -> None:
        """Rows a failed batch left claimed (a full disk, a read-only database) never left:
        they go back to ``pending`` here, without waiting for a restart."""
        if self._unsettled:
            count = await self.deliveries.release_claimed(self.name)
            self._unsettled = False
            if count:
                log.info("%d deliveries claimed by a failed batch are queued again", count)

    async def process(self, delivery: Delivery) -> None:
        # A private row waits for no one: residents' rows of one list or group are
        # independent (one person's rows keep their order through the chat lock).
        group_row = delivery.chat_id is not None and delivery.pseudonym is None
        earlier = (self._chat_flights.get(delivery.chat_id)
                   if delivery.chat_id is not None and group_row else None)
        if earlier:
            await asyncio.wait(set(earlier))
        try:
            plan = await self.composer.compose(delivery)
        except Exception:
            log.exception("cannot compose delivery %d; will retry", delivery.id)
            await self._retry(delivery, "internal error while composing", count=True)
            return
        if isinstance(plan, Defer):
            await self._retry(delivery, plan.reason, count=False, after=plan.seconds)
            return
        if isinstance(plan, Skip):
            await self.deliveries.finish(delivery.id, SKIPPED, plan.reason)
            self.stats.skipped += 1
            return
        if isinstance(plan, Expand):
            await expand_delivery(self.database, delivery.id, plan.rows, plan.unreachable)
            self.stats.expanded += 1
            log.info("%s: %d residents to write to", delivery.dedupe_key, len(plan.rows))
            return
        await self._send(delivery, plan)

    async def _send(self, delivery: Delivery, plan: Send) -> None:
        """Take a slot in the platform's lane, then send in a task of its own."""
        adapter = self.adapters.get(plan.target.platform)
        if adapter is None:
            later = self.clock.now() + MISSING_ADAPTER_DELAY
            await self.deliveries.retry_later(
                delivery.id, later, f"the {plan.target.platform} adapter is not running"
            )
            log.warning("delivery %d waits: the %s adapter is not enabled",
                        delivery.id, plan.target.platform)
            return
        # The send waits for its lane's slot in its own task: a full lane (a broadcast on
        # one bot) holds back no other platform's sends; the next claims leave that lane's
        # rows for later while ``queue_per_lane`` sends already wait there.
        if self.stopping or self._fault is not None:  # asked while waiting for room
            if self.stopping:
                await self.deliveries.unclaim([delivery.id])
            return
        task = asyncio.create_task(self._fly(delivery, plan, adapter),
                                   name=f"animabot-send-{delivery.id}")
        self._flight.add(task)
        task.add_done_callback(self._landed)
        if delivery.chat_id is not None and delivery.pseudonym is None:
            chat_flights = self._chat_flights.setdefault(delivery.chat_id, set())
            chat_flights.add(task)
            task.add_done_callback(partial(self._chat_landed, delivery.chat_id))

    def _chat_landed(self, chat_id: int, task: asyncio.Task[None]) -> None:
        chat_flights = self._chat_flights.get(chat_id)
        if chat_flights is not None:
            chat_flights.discard(task)
            if not chat_flights:
                del self._chat_flights[chat_id]

    def _landed(self, task: asyncio.Task[None]) -> None:
        self._flight.discard(task)
        self._woken.set()
        if not task.cancelled() and (fault := task.exception()) is not None:
            self._fault = self._fault or fault  # the drain stops starting sends, then raises

    async def _fly(self, delivery: Delivery, plan: Send, adapter: ChatAdapter) -> None:
        target = plan.target
        await self.lanes.take_slot(adapter.platform, urgent=delivery.part in INTERACTIVE_PARTS)
        try:
            if self.stopping or self._fault is not None:  # asked while waiting for the slot
                if self.stopping:
                    await self.deliveries.unclaim([delivery.id])
                return
            async with self.lanes.chat(target.platform, target.address):
                if (target.platform, target.address) in self._lost:  # composed before that
                    await self._saved(partial(self.deliveries.finish, delivery.id, SKIPPED,
                                              "the chat is unreachable"))
                    self.stats.skipped += 1
                    return
                await self._send_now(delivery, plan, adapter)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            # Known before the slot is handed on: the send waiting for it must not start.
            self._fault = self._fault or exc
            raise
        finally:
            self.lanes.give_slot(adapter.platform)

    async def _send_now(self, delivery: Delivery, plan: Send, adapter: ChatAdapter) -> None:
        target = plan.target
        pacer = self.pacers[target.platform]
        slot = await pacer.wait(target.address, not target.private)
        every, chat_every = shared_intervals(pacer.limits, not target.private)
        if self.shared_pace is not None and (every or chat_every):
            # The other workers' sends on this bot count too.
            delay = await self.shared_pace.reserve(target.platform, target.address, every,
                                                   chat_every)
            if delay > 0:
                await asyncio.sleep(delay)
        if not adapter.idempotent_sends:
            # Only where a resend could show a message twice is the moment the request
            # leaves worth a commit: after a crash, the rows in flight are "unknown", not
            # resent, and only those (a row still waiting for its slot is not marked yet).
            await self.deliveries.mark_sending(delivery.id)
        # Counted from now, not from the reserved instant: a slow commit between the two
        # must not bunch sends past the platform's window (429s).
        pacer.left(slot)
        try:
            result = await adapter.send(plan.target, plan.message, key=delivery.dedupe_key)
        except Exception as exc:
            pacer.answered(slot)
            await self._saved(partial(self._not_sent, delivery, plan, adapter, exc))
            return
        pacer.answered(slot)
        reach = 1 if plan.target.private else self.reach.known(adapter.platform,
                                                               plan.target.address)
        await self._saved(partial(self._sent, delivery, result, reach))
        if reach is None:
            self.reach.look_up(adapter, plan.target.address, delivery.id)

    async def _saved(self, record: Callable[[], Awaitable[None]]) -> None:
        """What a send did is known only now: saving it waits out a storage fault (reported
        once by the database) rather than leave the row to be sent twice."""
        delay, waited = FIRST_SAVE_DELAY, 0.0
        while True:
            try:
                await record()
                return
            except StorageUnavailableError:
                if waited >= SAVE_PATIENCE:
                    raise  # the row stays in doubt, as after a crash
                await asyncio.sleep(delay)
                waited += delay
                delay = min(MAX_SAVE_DELAY, delay * 2)

    async def _sent(self, delivery: Delivery, result: SendResult, reach: int | None) -> None:
        await self.deliveries.mark_sent(
            delivery.id, result.ref, reach, self.clock.now(), poll_ref=result.poll_ref
        )
        if result.tally is not None and result.poll_ref is not None:
            voters = result.voters if result.voters is not None else sum(result.tally)
            await self.tallies.record(result.poll_ref, result.tally, voters, self.clock.now())
        self.stats.sent += 1

    async def _not_sent(
        self, delivery: Delivery, plan: Send, adapter: ChatAdapter, exc: Exception
    ) -> None:
        if isinstance(exc, RateLimitedError):
            await self._retry(delivery, str(exc), count=False, after=exc.retry_after)
        elif isinstance(exc, ChatUnreachableError):
            await self._unreachable(delivery, plan, str(exc))
        elif isinstance(exc, DeliveryUnknownError):
            await self.deliveries.finish(delivery.id, UNKNOWN, str(exc))
            self.stats.unknown += 1
            log.warning("delivery %s may or may not have arrived (%s): not retried; a "
                        "facilitator should check", delivery.dedupe_key, exc)
        elif isinstance(exc, RejectedError):
            await self.deliveries.finish(delivery.id, FAILED, str(exc))
            self.stats.failed += 1
            log.error("delivery %s refused by %s: %s", delivery.dedupe_key, adapter.platform, exc)
        elif isinstance(exc, PlatformError):  # transient or unclassified: safe to retry
            await self._retry(delivery, str(exc), count=True)
        else:  # an adapter bug must not stop the worker
            log.error("adapter %s failed on delivery %d", adapter.platform, delivery.id,
                      exc_info=exc)
            await self._retry(delivery, f"adapter error: {exc!r}", count=True)

    async def _retry(
        self, delivery: Delivery, error: str, *, count: bool, after: float | None = None
    ) -> None:
        if count and delivery.attempts >= self.max_attempts:
            await self.deliveries.finish(delivery.id, FAILED, error)
            self.stats.failed += 1
            log.error("delivery %s failed after %d attempts: %s",
                      delivery.dedupe_key, delivery.attempts, error)
            return
        delay = after if after is not None else min(600.0, 2.0 ** delivery.attempts)
        await self.deliveries.retry_later(
            delivery.id, self.clock.now() + timedelta(seconds=delay), error, refund=not count
        )
        self.stats.retried += 1
        log.info("delivery %s retried in %.1f s: %s", delivery.dedupe_key, delay, error)

    async def _unreachable(self, delivery: Delivery, plan: Send, error: str) -> None:
        self._lost.add((plan.target.platform, plan.target.address))
        await self.deliveries.finish(delivery.id, SKIPPED, error)
        self.stats.skipped += 1
        if plan.target.private:
            if delivery.pseudonym:
                await self.address_book.mark(delivery.pseudonym, AddressStatus.UNREACHABLE,
                                             self.clock.now())
            log.info("a resident can no longer be written to privately on %s: their address "
                     "is marked unreachable, reminders stop", plan.target.platform)
            return
        if delivery.chat_id is not None:
            skipped = await chat_lost(self.database, delivery.chat_id, error, self.clock.now())
            log.warning(
                "chat %d on %s is unreachable (%s): deactivated, %d pending deliveries skipped; "
                "facilitators: re-add the bot and link the chat again",
                delivery.chat_id, plan.target.platform, error, skipped,
            )
