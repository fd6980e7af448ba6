"""Accepting or rejecting an idea, from the chat or the command line, and telling its author.

The author is reached by pseudonym through the outbox only, so the facilitator never learns
who wrote the idea; an erased author (pseudonym NULL) or one who opted out is not written to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from ..chat.outgoing import OutgoingMessage
from ..delivery.composer import encode_reply
from ..i18n import translator
from ..store.database import Database
from ..store.deliveries import DeliveryRepository, NewDelivery
from ..store.ideas import ACCEPTED, REJECTED, IdeaRecord, IdeaRepository
from ..store.residents import ResidentRepository

log = logging.getLogger(__name__)
QUOTED = 80  # characters of the idea quoted back to its author


@dataclass(frozen=True)
class Decision:
    """What happened: ``changed`` is False when the idea had already been decided."""

    idea: IdeaRecord  # as it is now
    changed: bool
    author_told: bool


def excerpt(text: str, length: int = QUOTED) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


async def decide_idea(
    database: Database, idea_id: int, accept: bool, reviewer: str, now: datetime,
    default_language: str, reason: str | None = None,
) -> Decision | None:
    """Decide a pending idea once; None if there is no such idea. A refusal's ``reason``
    is kept and told to the author (the command line requires one)."""
    ideas = IdeaRepository(database)
    status = ACCEPTED if accept else REJECTED
    reason = " ".join(reason.split()) if reason and not accept else None
    changed = await ideas.decide(idea_id, status, reviewer, now, reason or None)
    idea = await ideas.get(idea_id)
    if idea is None:
        return None
    told = changed and await tell_author(database, idea, now, default_language)
    if changed:
        log.info("idea %d %s", idea_id, status)
    return Decision(idea, changed, told)


def _sentence(text: str) -> str:
    """The reason as typed, ended like a sentence so the thanks that follow read well."""
    return text if text.endswith((".", "!", "?", "…")) else text + "."


async def tell_author(
    database: Database, idea: IdeaRecord, now: datetime, default_language: str
) -> bool:
    """Queue the decision for the author in their language; False if they cannot be reached."""
    if idea.pseudonym is None:
        return False
    residents = ResidentRepository(database)
    author = await residents.get(idea.pseudonym)
    if author is None or author.opted_out or await residents.address(idea.pseudonym) is None:
        return False
    # Their chosen language, else the one they wrote the idea in (their client's).
    _ = translator(author.language or idea.language or default_language)
    if idea.status == ACCEPTED:
        text = _("Your idea “{idea}” was accepted by the facilitators. Thank you!")
    elif idea.reason:
        text = _("Your idea “{idea}” was not retained. The facilitators' reason: {reason} "
                 "Thank you for sharing it!")
    else:
        text = _("Your idea “{idea}” was not retained this time. Thank you for sharing it!")
    await DeliveryRepository(database).add([NewDelivery(
        dedupe_key=f"notice:idea:{idea.id}", part="notice", due_at=now,
        pseudonym=idea.pseudonym,
        payload=encode_reply(OutgoingMessage(text.format(
            idea=excerpt(idea.text), reason=_sentence(idea.reason or "")))),
    )])
    return True
