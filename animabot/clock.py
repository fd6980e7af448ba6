"""Clocks: the real one, and a fake one tests and the demo drive by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the time; always an aware datetime in UTC."""

    def now(self) -> datetime:
        """The current instant, in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to: tests and the accelerated demo use it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def advance_to(self, when: datetime) -> None:
        """Move forward to ``when``; never backwards."""
        when = when.astimezone(UTC)
        if when > self._now:
            self._now = when
