"""The sending window: when the bot may write to residents.

Outside it (quiet hours, closed days) a send waits for the next opening. All arithmetic is
done in local wall-clock time and converted back to UTC, so a DST change never shifts the
opening hour nor creates a send at a time that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS: dict[str, int] = {
    name: index
    for index, names in enumerate(
        [
            ("monday", "lundi"),
            ("tuesday", "mardi"),
            ("wednesday", "mercredi"),
            ("thursday", "jeudi"),
            ("friday", "vendredi"),
            ("saturday", "samedi"),
            ("sunday", "dimanche"),
        ]
    )
    for name in names
}
_RANGE_RE = re.compile(r"^\s*(\d{1,2})[:h](\d{2})\s*-\s*(\d{1,2})[:h](\d{2})\s*$")


def parse_window_range(spec: str) -> tuple[time, time] | None:
    """``"09:00-20:00"`` → (09:00, 20:00); ``""`` → ``None`` (no window). Raises ValueError."""
    if not spec.strip():
        return None
    match = _RANGE_RE.match(spec)
    if not match:
        raise ValueError(f'{spec!r} is not a time range: write "09:00-20:00", or "" for none')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"{spec!r} holds a time that does not exist")
    opens, closes = time(h1, m1), (time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2))
    if opens >= closes:
        raise ValueError(f"{spec!r} opens after it closes: write the earlier time first")
    return opens, closes


def parse_weekdays(names: Iterable[str]) -> frozenset[int]:
    days = set()
    for name in names:
        key = name.strip().lower()
        if key not in WEEKDAYS:
            raise ValueError(f"{name!r} is not a day: write e.g. \"sunday\" or \"dimanche\"")
        days.add(WEEKDAYS[key])
    return frozenset(days)


def to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def local_to_utc(naive_local: datetime, zone: ZoneInfo) -> datetime:
    """A local wall time to UTC; a time skipped by DST moves forward past the gap.

    In a spring-forward gap (02:30 on the last Sunday of March in Paris) ``fold=0`` reads the
    wall time with the offset in force before the change, which lands after the gap by its
    length (03:30); ``fold=1`` would land before it (01:30), i.e. earlier than asked.
    A repeated autumn time takes its first occurrence.
    """
    return naive_local.replace(tzinfo=zone, fold=0).astimezone(UTC)


@dataclass(frozen=True)
class DeliveryWindow:
    """Sends allowed between ``opens`` and ``closes`` local time, never on ``closed_days``."""

    zone: ZoneInfo
    opens: time | None = None
    closes: time | None = None
    closed_days: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def from_settings(
        cls, spec: str, timezone: str, closed_days: Iterable[str] = ()
    ) -> DeliveryWindow:
        bounds = parse_window_range(spec)
        days = parse_weekdays(closed_days)
        if len(days) == 7:
            raise ValueError("every day is closed: nothing could ever be sent")
        if bounds is None:
            return cls(ZoneInfo(timezone), None, None, days)
        return cls(ZoneInfo(timezone), bounds[0], bounds[1], days)

    @classmethod
    def always(cls, timezone: str = "UTC") -> DeliveryWindow:
        return cls(ZoneInfo(timezone))

    def allows(self, moment: datetime) -> bool:
        local = to_local(moment, self.zone)
        if local.weekday() in self.closed_days:
            return False
        if self.opens is None or self.closes is None:
            return True
        return self.opens <= local.time() < self.closes

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` itself if sending is allowed then, else the next opening (UTC)."""
        if self.allows(moment):
            return moment.astimezone(UTC)
        local = to_local(moment, self.zone).replace(tzinfo=None)
        opens = self.opens or time(0, 0)
        day = local.date()
        if self.opens is not None and self.closes is not None and local.time() < opens:
            candidate_day = day
        else:
            candidate_day = day + timedelta(days=1)
        for _ in range(8):
            if candidate_day.weekday() not in self.closed_days:
                return local_to_utc(datetime.combine(candidate_day, opens), self.zone)
            candidate_day += timedelta(days=1)
        raise ValueError("no open day in the sending window")  # prevented by from_settings
