"""Failed sign-ins slow down guessing: after ``limit`` failures within ``window`` for one
account, or ``limit × 10`` from one address (a town hall's staff may share one), further
attempts are refused until the window slides past them. Kept in memory: one web process
serves the back-office, and a restart forgetting the count only gives back what a few
minutes' wait gives anyway."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta

from ..clock import Clock

ADDRESS_FACTOR = 10


class SignInThrottle:
    def __init__(self, clock: Clock, limit: int = 5,
                 window: timedelta = timedelta(minutes=15)) -> None:
        self._clock = clock
        self.limit = limit
        self.window = window
        self._failures: defaultdict[str, deque[datetime]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[datetime]:
        since = self._clock.now() - self.window
        failures = self._failures[key]
        while failures and failures[0] <= since:
            failures.popleft()
        if not failures:
            del self._failures[key]  # the map holds only keys under watch
            return deque()
        return failures

    def allowed(self, account: str, address: str) -> bool:
        return (len(self._recent(f"u:{account.casefold()}")) < self.limit
                and len(self._recent(f"a:{address}")) < self.limit * ADDRESS_FACTOR)

    def failed(self, account: str, address: str) -> None:
        now = self._clock.now()
        self._failures[f"u:{account.casefold()}"].append(now)
        self._failures[f"a:{address}"].append(now)

    def succeeded(self, account: str) -> None:
        self._failures.pop(f"u:{account.casefold()}", None)
