"""A campaign start as a facilitator types it: "now", "2026-12-01 18:00", "01/12/2026 18:00".

One parser for the CLI (``--at``, ``--start``) and the chat commands (``/programmer``), so the
same words mean the same instant everywhere. Local wall times are read in the bot's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..domain.window import local_to_utc
from ..i18n.lazy import lazy as _

NOW_WORDS = ("now", "maintenant")
_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %Hh%M", "%d/%m/%Y", "%Y-%m-%d %Hh%M")

def _hint() -> str:
    return _('write "2026-12-01 18:00", "01/12/2026 18:00" or "now"')



def parse_start(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The instant (UTC) meant by ``text``; ``ValueError`` naming the accepted forms."""
    cleaned = " ".join(text.split())
    if cleaned.lower() in NOW_WORDS:
        return now.astimezone(UTC)
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        for pattern in _FORMATS:
            try:
                parsed = datetime.strptime(cleaned, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(_("{text!r} is not a date: {hint}", text=text, hint=_hint()))
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    return local_to_utc(parsed, zone)
