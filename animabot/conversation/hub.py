"""Facilitators' hub commands: ``/quartiers`` (neighbourhoods across platforms),
``/annonce <quartiers> <texte>`` (every chat of those neighbourhoods, on every platform,
through the paced and deduplicated outbox) and ``/approuver <id>``."""

from __future__ import annotations

import hashlib

from ..chat.outgoing import OutgoingMessage
from ..domain.bots import commune_of_bot, platform_of
from ..hub.neighbourhoods import presence
from ..i18n import counts
from ..scenario.model import Scenario
from . import scope
from .context import Turn

MAX_ANNOUNCEMENT = 3000


async def neighbourhoods(turn: Turn, args: tuple[str, ...]) -> None:
    _ = turn._
    lines = [_("Neighbourhoods:")]
    asking = scope.principal(turn)
    for hood in await presence(turn.services.database):
        if not asking.covers(hood.id):
            continue  # another commune's
        parts = [
            _("{platform}: {chats}, {members}, {private} in private").format(
                platform=_bot_label(platform), chats=counts.chats(turn.language, place.chats),
                members=counts.members(turn.language, place.members),
                private=place.residents_in_private)
            for platform, place in sorted(hood.platforms.items())
        ]
        lines.append(f"• {hood.name} ({hood.id}) — " + ("; ".join(parts) or _("no chat yet")))
    await turn.reply(OutgoingMessage("\n".join(lines)))


def _bot_label(bot: str) -> str:
    """``Telegram``, or ``Telegram (bourg)`` for a commune's own bot."""
    commune = commune_of_bot(bot)
    label = platform_of(bot).capitalize()
    return f"{label} ({commune})" if commune else label


async def announce(turn: Turn, args: tuple[str, ...]) -> None:
    _ = turn._
    if len(args) < 2:
        await turn.reply(OutgoingMessage(_(
            "Usage: /annonce NEIGHBOURHOODS TEXT, e.g. /annonce centre,gare The market moves "
            "to the square on Saturday.")))
        return
    text = " ".join(args[1:])[:MAX_ANNOUNCEMENT]
    scenario = Scenario.model_validate({
        "id": "annonce", "title": text[:60], "objective": "Annonce d'un animateur",
        "steps": [{"id": "annonce", "kind": "announcement", "at": "+0", "text": {"fr": text}}],
    })
    # One campaign per command: a replayed update cannot announce twice.
    key = hashlib.sha256(f"{turn.event.chat.platform}:{turn.event.event_id}".encode())
    targets = await scope.targets_here(turn, args[0])
    started = await turn.services.campaigns.start(
        scenario, targets, source=f"chat:{turn.event.chat.platform}",
        campaign_id=f"annonce-{key.hexdigest()[:10]}", author=turn.pseudonym,
    )
    turn.services.wake()
    if started.pending_approval:
        await turn.reply(OutgoingMessage(_(
            "Announcement {id} waits for another facilitator's approval: /approuver {id}"
        ).format(id=started.id)))
        return
    await turn.reply(OutgoingMessage(_("Announcement {id} on its way to {chats}.").format(
        id=started.id, chats=counts.chats(turn.language, started.chats))))


async def approve(turn: Turn, args: tuple[str, ...]) -> None:
    _ = turn._
    if not args:
        await turn.reply(OutgoingMessage(_("Usage: /approuver CAMPAIGN_ID")))
        return
    record = await scope.campaign_here(turn, args[0])
    started = await turn.services.campaigns.approve(record.id, turn.pseudonym)
    turn.services.wake()
    await turn.reply(OutgoingMessage(
        _("Campaign {id} approved: {messages} to {chats}.").format(
            id=started.id, messages=counts.messages(turn.language, started.deliveries),
            chats=counts.chats(turn.language, started.chats))))
