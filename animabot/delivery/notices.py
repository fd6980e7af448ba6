"""Tell facilitators what they must know (a chat lost, a send in doubt), through the outbox.

Facilitators are known by pseudonym once they have written to the bot in private; a notice is
queued for each of them in their language, deduplicated by ``key``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..chat.outgoing import OutgoingMessage
from ..domain.bots import commune_of_bot
from ..i18n import Translate, translator
from ..store.chats import ChatRepository
from ..store.database import Database
from ..store.deliveries import DeliveryRepository, NewDelivery
from ..store.facilitators import FacilitatorRepository
from .composer import encode_reply


async def facilitators_to_tell(
    database: Database, bot: str | None = None
) -> list[tuple[str, str, str]]:
    """(pseudonym, tag, language) of facilitators the bot can write to privately; the tag
    names them in delivery keys (a key never holds a pseudonym: see residents.erase). About
    a ``bot``'s chat, a commune's facilitators (those who write to its own bot) are told only
    of their commune's bot; the deployment's facilitators of every one."""
    commune = commune_of_bot(bot) if bot else None
    return [(f.pseudonym, f.tag, f.language)
            for f in await FacilitatorRepository(database).reachable()
            if commune_of_bot(f.platform) in (None, commune)]


async def notify_facilitators(
    database: Database, key: str, now: datetime, text: Callable[[Translate], str],
    bot: str | None = None,
) -> int:
    """Queue ``text`` (built in each facilitator's language) for every facilitator (about
    ``bot``'s chat: those of its commune and the deployment's)."""
    rows = [
        NewDelivery(
            dedupe_key=f"notice:{key}:{tag}", part="notice", due_at=now,
            pseudonym=pseudonym, payload=encode_reply(OutgoingMessage(text(translator(lang)))),
        )
        for pseudonym, tag, lang in await facilitators_to_tell(database, bot)
    ]
    if rows:
        await DeliveryRepository(database).add(rows)
    return len(rows)


async def remember_facilitator(database: Database, pseudonym: str, now: datetime) -> None:
    await FacilitatorRepository(database).remember(pseudonym, now)


async def chat_lost(database: Database, chat_id: int, reason: str, now: datetime) -> int:
    """A group can no longer be written to: deactivate it, skip what was pending there,
    tell the facilitators. Returns how many deliveries were skipped."""
    chats = ChatRepository(database)
    chat = await chats.get(chat_id)
    await chats.deactivate(chat_id)
    skipped = await DeliveryRepository(database).skip_pending_for_chat(chat_id, reason)
    name = (chat.title or chat.address) if chat else str(chat_id)
    platform = chat.platform if chat else "?"

    def text(_: Translate) -> str:
        return _(
            "The bot can no longer write to the group {name} ({platform}): it was removed or "
            "blocked. {skipped} pending messages were skipped. Add the bot again and link the "
            "group with /quartier ID."
        ).format(name=name, platform=platform, skipped=skipped)

    await notify_facilitators(database, f"chat-lost:{chat_id}:{now:%Y%m%d%H%M}", now, text,
                              bot=chat.platform if chat else None)
    return skipped
