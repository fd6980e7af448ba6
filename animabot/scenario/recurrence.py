"""Recurring campaigns: "every first Monday at 18:00", in the bot's time zone, DST-safe.

Accepted, in English or French:
- ``every day at 18:00`` · ``chaque jour à 18h00``
- ``every monday at 18:00`` · ``chaque lundi à 18:00``
- ``every first monday at 18:00`` (``second``, ``third``, ``fourth``, ``last``) ·
  ``chaque premier lundi à 18:00`` (``deuxième``, ``troisième``, ``quatrième``, ``dernier``)
Occurrences are computed on the local calendar and wall clock, then converted to UTC, so an
18:00 stays 18:00 across the spring and autumn changes.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..domain.window import WEEKDAYS, local_to_utc

ORDINALS = {"first": 1, "premier": 1, "premiere": 1, "second": 2, "deuxieme": 2,
            "third": 3, "troisieme": 3, "fourth": 4, "quatrieme": 4, "last": -1, "dernier": -1,
            "derniere": -1}
_RULE = re.compile(
    r"^(?:every|chaque|tous les|toutes les)\s+(?:(?P<ordinal>[a-z]+)\s+)?(?P<unit>[a-z]+)"
    r"\s+(?:at|a)\s+(?P<hour>\d{1,2})[:h](?P<minute>\d{2})$"
)
HINT = ('write "every first monday at 18:00", "every monday at 18:00", "every day at 18:00" '
        '(or in French: "chaque premier lundi à 18:00")')


class RecurrenceError(ValueError):
    """The rule is not understood; the message says what to write."""


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().split())


@dataclass(frozen=True)
class Recurrence:
    at: time
    weekday: int | None = None  # None: every day
    ordinal: int | None = None  # 1..4, or -1 for the last such weekday of the month
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> Recurrence:
        match = _RULE.match(_fold(text))
        if not match:
            raise RecurrenceError(f"{text!r} is not a recurrence: {HINT}")
        hour, minute = int(match["hour"]), int(match["minute"])
        if hour > 23 or minute > 59:
            raise RecurrenceError(f"{text!r}: {hour:02d}:{minute:02d} is not a time of day")
        unit, ordinal_word = match["unit"], match["ordinal"]
        if unit in ("day", "jour", "jours"):
            if ordinal_word:
                raise RecurrenceError(f"{text!r}: 'every day' takes no ordinal; {HINT}")
            return cls(time(hour, minute), text=text)
        weekday = WEEKDAYS.get(unit.removesuffix("s") if unit.endswith("s") else unit)
        if weekday is None:
            raise RecurrenceError(f"{text!r}: {unit!r} is not a day of the week; {HINT}")
        ordinal = None
        if ordinal_word:
            if ordinal_word not in ORDINALS:
                raise RecurrenceError(f"{text!r}: {ordinal_word!r} is not first…fourth or last")
            ordinal = ORDINALS[ordinal_word]
        return cls(time(hour, minute), weekday, ordinal, text)

    def _days_after(self, day: date) -> date:
        """The first matching day on or after ``day``."""
        if self.weekday is None:
            return day
        if self.ordinal is None:
            return day + timedelta(days=(self.weekday - day.weekday()) % 7)
        month = date(day.year, day.month, 1)
        for _ in range(14):  # the next match is always within a few months
            candidate = self._in_month(month.year, month.month)
            if candidate >= day:
                return candidate
            month = (month + timedelta(days=32)).replace(day=1)
        raise RecurrenceError(f"no occurrence of {self.text!r}")  # not reachable

    def _in_month(self, year: int, month: int) -> date:
        assert self.weekday is not None and self.ordinal is not None
        days = calendar.monthrange(year, month)[1]
        matches = [date(year, month, d) for d in range(1, days + 1)
                   if date(year, month, d).weekday() == self.weekday]
        return matches[-1] if self.ordinal == -1 else matches[min(self.ordinal, len(matches)) - 1]

    def next_after(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first occurrence strictly after ``moment`` (UTC in and out)."""
        local = moment.astimezone(zone)
        day = local.date()
        for _ in range(3):
            found = self._days_after(day)
            when = local_to_utc(datetime.combine(found, self.at), zone)
            if when > moment:
                return when
            day = found + timedelta(days=1)
        raise RecurrenceError(f"no occurrence of {self.text!r} after {moment}")  # not reachable
