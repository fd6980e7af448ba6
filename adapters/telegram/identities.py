"""Tell the log redaction who the people in Telegram's answers are, before anyone logs them.

python-telegram-bot logs each Bot API answer (updates included) at DEBUG as soon as it
arrives: registering the people in the answer inside the HTTP layer, before ``Bot`` sees it,
means even a lifted log level (``ANIMABOT_DEBUG_PLATFORM=1``) masks them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from animabot.redaction import register_identity

PERSON_FIELDS = ("id", "first_name", "last_name", "username", "phone_number")


def people_in(data: object) -> Iterator[tuple[object, ...]]:
    """The identifying fields of every user, private chat or contact in a decoded answer."""
    if isinstance(data, dict):
        if "first_name" in data and not data.get("is_bot"):
            yield tuple(data.get(name) for name in PERSON_FIELDS)
        for value in data.values():
            yield from people_in(value)
    elif isinstance(data, list):
        for item in data:
            yield from people_in(item)


def register_people(payload: bytes) -> None:
    if b"first_name" not in payload:
        return
    try:
        data = json.loads(payload)
    except ValueError:
        return
    for person in people_in(data):
        register_identity(*person)
