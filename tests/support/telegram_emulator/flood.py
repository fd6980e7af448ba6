"""Telegram-like flood control: sliding windows per bot, per chat and per group."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from .params import ApiError

# Methods that post or change a message in a chat, and so count against the limits.
FLOOD_METHODS = frozenset(
    {"sendmessage", "sendpoll", "editmessagetext", "editmessagereplymarkup", "stoppoll"}
)


class FloodControl:
    """Counts sends in sliding windows; a send over any limit gets a 429 with `retry_after`.

    Only sends that went through are recorded (`record`), so retrying after `retry_after`
    seconds always succeeds, as with Telegram.
    """

    def __init__(
        self,
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.group_per_minute = group_per_minute
        self.clock = clock
        self._global: deque[float] = deque()
        self._per_chat: dict[int | str, deque[float]] = {}
        self._per_group: dict[int | str, deque[float]] = {}

    def check(self, chat_id: int | str, is_group: bool) -> None:
        """Raise the 429 Telegram would answer if this send went out now."""
        now = self.clock()
        waits = [
            _wait(self._global, 1.0, self.global_per_second, now),
            _wait(self._per_chat.get(chat_id, deque()), 1.0, self.per_chat_per_second, now),
        ]
        if is_group:
            waits.append(
                _wait(self._per_group.get(chat_id, deque()), 60.0, self.group_per_minute, now)
            )
        wait = max(waits)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def record(self, chat_id: int | str, is_group: bool) -> None:
        """Count a send that went through."""
        now = self.clock()
        self._global.append(now)
        self._per_chat.setdefault(chat_id, deque()).append(now)
        if is_group:
            self._per_group.setdefault(chat_id, deque()).append(now)


def _wait(window: deque[float], span: float, limit: int, now: float) -> float:
    """Seconds until one more event fits in the window (0 when it fits now)."""
    while window and window[0] <= now - span:
        window.popleft()
    if len(window) < limit:
        return 0.0
    return window[len(window) - limit] + span - now
