"""One local actor as the directory holds it: public information, never a resident's."""

from __future__ import annotations

import re
import unicodedata
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


# Ligatures NFKD leaves whole: "cœur" must fold like "coeur".
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: ``"L'Épicerie !"`` → ``"l epicerie"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NOT_WORD.sub(" ", plain).strip()


def search_text(actor: Actor) -> str:
    """What the ``search_text`` column holds: every searchable field, folded."""
    return fold(" ".join([actor.name, actor.kind, *actor.tags, actor.description]))
