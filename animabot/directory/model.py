"""One local actor as the directory holds it: public information, never a resident's."""

from __future__ import annotations

from dataclasses import dataclass

# The kinds a facilitator may write, as stored (French words, so the CSV reads naturally).
KINDS: tuple[str, ...] = ("association", "commerce", "service_public", "autre")
# Actor ids are referenced from scenarios: the same shape as step ids.
ACTOR_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
MAX_ID = 40
MAX_NAME = 120
MAX_CONTACT = 200
MAX_DESCRIPTION = 1000
TAG_SEPARATOR = "|"


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str
    tags: tuple[str, ...] = ()
    neighbourhood_id: str | None = None
    contact: str = ""
    description: str = ""
