"""Pace sends under a platform's limits: overall, per chat, and per group per minute.

Platforms count sends in rolling windows ("30 in any second", "20 in any minute"). A token
bucket with a full burst lets up to twice the rate through in one such window, so each limit
here is a rolling window itself: a send reserves the earliest instant at which it fits in
every window, and waits until then. Windows are slightly widened (``MARGIN``) so that network
jitter between our clock and the platform's never pushes a send over the limit.

The platform counts a send when it arrives, not when we reserved it. Two rules keep the two
close: sends under an overall rate with no burst are spread evenly (one every ``1/rate``
seconds), never bunched at the instant a window frees up (a bunch of requests reaches the
server one after another, the last ones later than reserved), and a send that leaves later
than its reserved instant (a busy event loop) is counted from when it left (``left``), so
that the sends reserved after it keep their distance from the real instant.

A stall between our request and the platform's clock (our process or the server paused for
tens of milliseconds) still bunches arrivals that left evenly spaced. Its trace is a round trip
longer than the fastest: when the answer comes (``answered``), the send is counted later by
what its round trip took beyond the fastest of the recent ones, less the margin's 30 ms (which
already keeps the 31st send that far from the 1st), since the request may have reached the
platform that much later. The sends reserved afterwards keep their distance from that instant.
The fastest, not the typical (median) trip: with the typical one, a send that arrived late by
more than the usual spread, followed 30 sends later by one that arrived as fast as any, still
made 31 in the platform's second (one 429 in 6,000 at 150 ms). Measured from the fastest, a
send's arrival is bounded whatever the others' delays (as long as no answer comes back faster
than the fastest); only round trips more than 30 ms slower than the fastest cost any rate.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

MARGIN = 1.03
SLACK = MARGIN - 1.0  # seconds the margin adds to a one-second window
RECENT_TRIPS = 32  # recent round trips the fastest is taken from


@dataclass(frozen=True)
class RateLimits:
    """Limits an adapter declares (``limits`` attribute); None means unlimited."""

    global_per_second: float | None = None
    per_chat_per_second: float | None = None
    per_group_per_minute: float | None = None
    global_burst: int | None = None  # sends allowed at once before the rate applies


def _lower(limit: float | None, cap: float | None) -> float | None:
    if limit is None:
        return cap
    return limit if cap is None else min(limit, cap)


def capped(
    limits: RateLimits | None, global_per_second: float | None, per_chat_per_second: float | None
) -> RateLimits:
    """A platform's limits, lowered to the operator's caps (``[delivery]``), never raised."""
    limits = limits or RateLimits()
    return replace(
        limits,
        global_per_second=_lower(limits.global_per_second, global_per_second),
        per_chat_per_second=_lower(limits.per_chat_per_second, per_chat_per_second),
    )


class RollingWindow:
    """At most ``limit`` events in any ``span`` seconds."""

    def __init__(self, limit: float, span: float) -> None:
        self.limit = max(1, int(limit))
        self.span = span * MARGIN
        self.events: deque[float] = deque()

    def earliest(self, now: float) -> float:
        """The first instant from ``now`` at which one more event fits."""
        while self.events and self.events[0] <= now - self.span:
            self.events.popleft()
        if len(self.events) < self.limit:
            return now
        return self.events[len(self.events) - self.limit] + self.span

    def reserve(self, at: float) -> None:
        self.events.append(at)

    def moved(self, reserved: float, left: float) -> None:
        """The event reserved at ``reserved`` happened at ``left`` (later): count it there."""
        events = self.events
        for index in range(len(events) - 1, -1, -1):  # recent reservations are at the end
            if events[index] == reserved:
                del events[index]
                bisect.insort(events, left)  # kept sorted: ``earliest`` counts from the end
                return


@dataclass
class Slot:
    """A reserved instant and the windows it was counted in; ``at`` moves to the instant
    the send is counted at (when it left, later by a stall seen in its round trip)."""

    at: float
    windows: tuple[RollingWindow, ...]
    left: float | None = None

    def move(self, to: float) -> None:
        if to > self.at:
            for window in self.windows:
                window.moved(self.at, to)
            self.at = to


class Pacer:
    def __init__(
        self, limits: RateLimits | None, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or RateLimits()
        self._now = now
        rate, burst = self.limits.global_per_second, self.limits.global_burst
        self._global: tuple[RollingWindow, ...] = ()
        if rate and burst:  # "10 at once, then 0.2/s" is never exceeded by "10 in any 50 s"
            self._global = (RollingWindow(burst, burst / rate),)
        elif rate:  # "30 in any second", spread: one every 1/30 s, never 30 at once
            window = self._window(rate, 1.0)
            assert window is not None
            self._global = (window, RollingWindow(1, 1 / rate)) if rate > 1 else (window,)
        self._chats: dict[str, list[RollingWindow]] = {}
        self._trips: deque[float] = deque(maxlen=RECENT_TRIPS)

    @staticmethod
    def _window(rate: float | None, span: float) -> RollingWindow | None:
        if not rate:
            return None
        if rate < 1:  # "0.2 per second" is "1 per 5 seconds"
            return RollingWindow(1, span / rate)
        return RollingWindow(rate, span)

    def _windows(self, chat: str, group: bool) -> tuple[RollingWindow, ...]:
        if chat not in self._chats:
            made = [self._window(self.limits.per_chat_per_second, 1.0)]
            if group:
                made.append(self._window(self.limits.per_group_per_minute, 60.0))
            self._chats[chat] = [w for w in made if w is not None]
        return (*self._chats[chat], *self._global)

    def reserve(self, chat: str, group: bool) -> Slot:
        """The earliest instant at which a send to ``chat`` fits in every window, counted."""
        windows = self._windows(chat, group)
        at = self._now()
        for _ in range(len(windows) + 1):  # a later slot in one window may clash in another
            later = max((w.earliest(at) for w in windows), default=at)
            if later == at:
                break
            at = later
        for window in windows:
            window.reserve(at)
        return Slot(at, windows)

    def left(self, slot: Slot) -> None:
        """The send reserved as ``slot`` leaves now: if later than reserved, count it now."""
        slot.left = self._now()
        slot.move(slot.left)

    def answered(self, slot: Slot) -> None:
        """The platform answered the send of ``slot`` (or failed it): a round trip longer
        than the fastest recent one may have reached the platform that much later."""
        if slot.left is None:
            return
        trip = self._now() - slot.left
        if len(self._trips) >= 4:  # a few trips before any is called the fastest
            # The window's margin already keeps a send that much further from the 30th
            # before it; only the lateness beyond it must be counted.
            late = trip - min(self._trips) - SLACK
            slot.move(slot.left + max(0.0, late))
        self._trips.append(trip)

    def delay_for(self, chat: str, group: bool) -> float:
        """Reserve the next slot for ``chat``; seconds to wait before sending (0 if none)."""
        return self.reserve(chat, group).at - self._now()

    async def wait(self, chat: str, group: bool) -> Slot:
        """Wait for the next slot for ``chat``. Give it to :meth:`left` as the request
        leaves, then to :meth:`answered` when the platform has answered."""
        slot = self.reserve(chat, group)
        delay = slot.at - self._now()
        if delay > 0:
            await asyncio.sleep(delay)
        return slot


# Several workers share one bot's limits through the database (``store/send_pace.py``): their
# sends leave from several processes, whose delays to the platform differ (a stall in one of
# them bunches its arrivals with the others'), so the shared spacing keeps a wider margin
# than one process's rolling windows: 85 % of the bot's rate, 1.25 × a chat's interval.
SHARED_SHARE = 0.85
SHARED_MARGIN = 1.25


def shared_intervals(limits: RateLimits, group: bool) -> tuple[float, float]:
    """Seconds between two sends of one bot (any worker), and between two sends to one chat,
    when several workers share the limits: evenly spread, never a burst."""
    every = 0.0
    if limits.global_per_second:
        every = 1.0 / (limits.global_per_second * SHARED_SHARE)
    chat_every = 0.0
    if limits.per_chat_per_second:
        chat_every = 1.0 / limits.per_chat_per_second * SHARED_MARGIN
    if group and limits.per_group_per_minute:
        chat_every = max(chat_every, 60.0 / limits.per_group_per_minute * MARGIN)
    return every, chat_every
