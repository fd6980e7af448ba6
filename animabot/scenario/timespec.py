"""The time syntax of scenario files.

A facilitator writes when a step happens relative to the campaign start or to another step:

- ``"+0"``             at the campaign start
- ``"+2h"``, ``"+90m"``, ``"+1d"``, ``"+1d 2h"``   after a duration (days are calendar days:
  ``+1d`` is the same local time tomorrow, even across a DST change)
- French units too: ``"+3j"`` (jours), ``"+30min"``, ``"+1 j 2 h"``; ``day(s)``, ``jour(s)``,
  ``heure(s)``, ``hour(s)``, ``minute(s)`` in full
- ``"+1d 18:00"``, ``"+1j 18h00"``, ``"+1j à 18h00"``   the day after the start, at 18:00 local
  time
- ``"after envie"``          when step ``envie`` is sent
- ``"after envie closes"``   when poll ``envie`` closes
- ``"after envie closes +1h"`` / ``"after envie +2d 09:00"``  the same, then an offset
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from ..errors import FieldValueError
from ..i18n.lazy import lazy as _

# A unit is a whole word: "+1 jour" is days, while "+1 j" then "our" is nothing.
_OFFSET_RE = re.compile(
    r"""^\+\s*(?:
        (?P<zero>0)
      | (?:(?P<days>\d+)\s*(?:d|j|days?|jours?)(?![a-z]))?
        \s*(?:(?P<hours>\d+)\s*(?:h|hours?|heures?)(?![a-z]))?
        \s*(?:(?P<minutes>\d+)\s*(?:m|min|mn|minutes?)(?![a-z]))?
    )\s*(?:(?:à|a|at)\s+)?(?:(?P<clock>\d{1,2}[:h]\d{2}))?$""",
    re.VERBOSE | re.IGNORECASE,
)
# Far enough for any campaign, near enough that no date computed from it can overflow.
MAX_DAYS = 3660
_MAX_DIGITS = 9
_AFTER_RE = re.compile(
    r"^after\s+(?P<step>[a-z0-9][a-z0-9_-]*)(?P<closes>\s+closes)?(?:\s+(?P<offset>\+.*))?$",
    re.IGNORECASE,
)

SYNTAX_HELP = _(
    'write "+0", "+2h", "+1d" (or "+1j"), "+1d 18:00", "after STEP", "after STEP closes" '
    'or "after STEP closes +1h"'
)


class TimeSpecError(FieldValueError):
    """The text is not a valid time for a scenario step: ``message``, then ``fix``."""

    def __init__(self, message: str, fix: str = SYNTAX_HELP) -> None:
        super().__init__(message, fix, "; ")


def _invalid(text: str) -> TimeSpecError:
    return TimeSpecError(_("{text!r} is not a valid time", text=text))


def _too_far(text: str) -> TimeSpecError:
    return TimeSpecError(_("{text!r} is too far ahead", text=text.strip()),
                         _("write at most {days} days (ten years)", days=MAX_DAYS))


@dataclass(frozen=True)
class Offset:
    """A shift from an anchor: days (calendar), then hours and minutes, then a clock time."""

    days: int = 0
    hours: int = 0
    minutes: int = 0
    at: time | None = None

    @property
    def is_zero(self) -> bool:
        return self.days == 0 and self.hours == 0 and self.minutes == 0 and self.at is None


@dataclass(frozen=True)
class TimeSpec:
    """Where a time is anchored (``None`` = campaign start) and the offset from it."""

    offset: Offset
    after_step: str | None = None
    after_close: bool = False
    source: str = ""

    @property
    def is_campaign_start(self) -> bool:
        return self.after_step is None and self.offset.is_zero


def _parse_clock(text: str) -> time:
    hours, minutes = (int(part) for part in re.split(r"[:h]", text.lower()))
    if hours > 23 or minutes > 59:
        raise TimeSpecError(_("{text!r} is not a time of day (00:00 to 23:59)", text=text),
                            _('write hours from 00 to 23 and minutes from 00 to 59, e.g. "18:30"'))
    return time(hours, minutes)


def _parse_offset(text: str) -> Offset:
    match = _OFFSET_RE.match(text.strip())
    if not match or (text.strip() == "+"):
        raise _invalid(text)
    groups = match.groupdict()
    clock = _parse_clock(groups["clock"]) if groups["clock"] else None
    has_duration = any(groups[k] for k in ("days", "hours", "minutes"))
    if not groups["zero"] and not has_duration and not clock:
        raise _invalid(text)
    days, hours, minutes = (_number(groups[k], text) for k in ("days", "hours", "minutes"))
    if days + (hours * 60 + minutes) / (24 * 60) > MAX_DAYS:
        raise _too_far(text)
    return Offset(days=days, hours=hours, minutes=minutes, at=clock)


def _number(digits: str | None, text: str) -> int:
    if digits is None:
        return 0
    if len(digits) > _MAX_DIGITS:  # int() of thousands of digits is refused (and slow)
        raise _too_far(text)
    return int(digits)


def parse_timespec(text: str) -> TimeSpec:
    """Parse a scenario time; raise :class:`TimeSpecError` with the accepted syntax."""
    if not isinstance(text, str) or not text.strip():
        raise TimeSpecError(_("an empty time is not valid"))
    stripped = " ".join(text.split())
    after = _AFTER_RE.match(stripped)
    if after:
        offset = _parse_offset(after["offset"]) if after["offset"] else Offset()
        return TimeSpec(offset, after["step"], bool(after["closes"]), stripped)
    if stripped.startswith("+"):
        return TimeSpec(_parse_offset(stripped), source=stripped)
    raise _invalid(text)
