"""Residents search the directory of local actors: ``/annuaire <mot>`` in private."""

from __future__ import annotations

from ..chat.outgoing import OutgoingMessage
from ..directory.search import query_words, rank
from ..domain.actor import Actor
from ..i18n import Translate
from ..store.actors import ActorRepository
from .context import Turn

SHORT_DESCRIPTION = 160  # a glimpse: the contact is there for the rest
SHOWN = 5


def kind_label(kind: str, _: Translate) -> str:
    labels = {
        "association": _("Association"),
        "commerce": _("Shop or business"),
        "service_public": _("Public service"),
        "autre": _("Other"),
    }
    return labels.get(kind, kind)


def shorten(text: str, limit: int = SHORT_DESCRIPTION) -> str:
    """The text cut at a word boundary, so a glimpse never ends mid-word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.—-")
    return cut + "…"


def actor_lines(actor: Actor, hoods: dict[str, str], _: Translate) -> list[str]:
    where = hoods.get(actor.neighbourhood_id or "", "")
    heading = f"• {actor.name} ({kind_label(actor.kind, _)}"
    heading += f", {where})" if where else ")"
    lines = [heading]
    if actor.contact:
        lines.append("  " + _("Contact: {contact}").format(contact=actor.contact))
    if actor.description:
        lines.append("  " + shorten(actor.description))
    return lines


async def search(turn: Turn, args: tuple[str, ...]) -> str | None:
    """Fuzzy, accent-insensitive French search; replies with the best matches."""
    _ = turn._
    if not turn.event.chat.private:  # results would flood the group: answer in private
        await turn.reply(OutgoingMessage(
            _("Search the directory in private: write /annuaire and a word to me.")
        ))
        return None
    query = " ".join(" ".join(args).split())
    if not query_words(query):
        await turn.reply(OutgoingMessage(_(
            "Usage: /annuaire followed by a word, e.g. /annuaire jardin or /annuaire aide "
            "alimentaire."
        )))
        return None
    actors = await ActorRepository(turn.services.database).all()
    hits = rank(query, actors, SHOWN, prefer=turn.resident.neighbourhood_id)
    if not hits:
        await turn.reply(OutgoingMessage(_(
            "No result for “{query}”. Try another word, or a shorter one."
        ).format(query=query)))
        return None
    hoods = await turn.services.chats.neighbourhoods()
    lines = [_("Directory: results for “{query}”").format(query=query)]
    for hit in hits:
        lines.extend(actor_lines(hit.actor, hoods, _))
    await turn.reply(OutgoingMessage("\n".join(lines), title=_("Directory")))
    return None
