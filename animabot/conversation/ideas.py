"""Residents' ideas: ``/idee <texte>`` in private, moderated by facilitators (``/idees``;
a refusal with its reason, ``/refuser <n> <raison>``, which the author reads).

Ideas are kept under the author's pseudonym only: facilitators see the text, the
neighbourhood and the date, never who wrote it; the author hears of the decision through
the outbox, addressed by pseudonym.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from ..campaigns.actions import Action
from ..campaigns.render import local_time
from ..chat.outgoing import Button, OutgoingMessage
from ..ideas.moderation import decide_idea
from ..store.ideas import ACCEPTED, PENDING, STATUSES, IdeaRecord, IdeaRepository
from . import scope
from .context import Turn

log = logging.getLogger(__name__)
DAY = timedelta(days=1)
SHOWN = 10  # pending ideas listed per /idees: more would flood the facilitator's chat
ALL_WORDS = ("tout", "all")


async def submit(turn: Turn, args: tuple[str, ...]) -> str | None:
    """Queue an idea for moderation (rate- and length-limited)."""
    _ = turn._
    services, limits = turn.services, turn.services.settings.ideas
    if not turn.event.chat.private:
        # A group would see the idea and its author: ideas are taken in private only.
        hint = OutgoingMessage(_("To share an idea, write to me in private: /idee followed by "
                                 "your idea."))
        if not await turn.reply(hint, private=True):
            await turn.reply(hint)
        return None
    text = " ".join(args).strip()
    if not text:
        await turn.reply(OutgoingMessage(_(
            "Write your idea after the command, for example: /idee A bench near the school.")))
        return None
    if len(text) > limits.max_length:
        await turn.reply(OutgoingMessage(_(
            "Your idea is {length} characters long, and the limit is {limit}. "
            "Could you make it shorter?").format(length=len(text), limit=limits.max_length)))
        return None
    now = services.clock.now()
    ideas = IdeaRepository(services.database)
    new_id = await ideas.add_within_limit(
        turn.pseudonym, turn.event.chat.platform, turn.resident.neighbourhood_id, text,
        now, now - DAY, limits.per_day, turn.language,
    )
    if new_id is None:
        recent = await ideas.submitted_since(turn.pseudonym, now - DAY)
        again = (recent[-limits.per_day] if len(recent) >= limits.per_day else now) + DAY
        await turn.reply(OutgoingMessage(_(
            "Thank you for your enthusiasm! You have already sent {n} ideas in the last 24 "
            "hours. You can send a new one from {when}.").format(
                n=limits.per_day,
                when=local_time(again, services.settings.bot.timezone, turn.language))))
        return None
    log.info("idea %d submitted on %s", new_id, turn.event.chat.platform)
    await turn.reply(OutgoingMessage(_(
        "Thank you! Your idea is recorded, without your name: a facilitator will read it soon.")))
    return None


def _idea_message(turn: Turn, idea: IdeaRecord, hoods: dict[str, str]) -> OutgoingMessage:
    """The text, where and when; never the author. Two signed buttons decide it."""
    _, services = turn._, turn.services
    hood = hoods.get(idea.neighbourhood_id or "") or _("no neighbourhood")
    when = local_time(idea.submitted_at, services.settings.bot.timezone, turn.language)
    heading = _("Idea #{id}, {neighbourhood}, {date}:").format(
        id=idea.id, neighbourhood=hood, date=when)
    buttons = ((
        Button(_("Accept"), services.sign(Action("i", (str(idea.id), "a")))),
        Button(_("Reject"), services.sign(Action("i", (str(idea.id), "r")))),
    ),)
    return OutgoingMessage(f"{heading}\n{idea.text}", buttons)


async def review(turn: Turn, args: tuple[str, ...]) -> None:
    """Facilitators: list pending ideas with accept/reject buttons."""
    _ = turn._
    ideas = IdeaRepository(turn.services.database)
    if scope.commune(turn) is None:
        counts, pending = await ideas.counts(), await ideas.find(PENDING, limit=SHOWN)
    else:  # a commune's bot: its commune's ideas only
        mine = [idea for idea in await ideas.find() if _here(turn, idea)]
        counts = {status: sum(idea.status == status for idea in mine) for status in STATUSES}
        pending = [idea for idea in mine if idea.status == PENDING][:SHOWN]
    lines = []
    if args and args[0].lower() in ALL_WORDS:
        lines.append(_("Ideas: {pending} pending, {accepted} accepted, {rejected} rejected.")
                     .format(**counts))
    waiting = counts[PENDING]
    if waiting == 0:
        lines.append(_("No idea is waiting for review."))
    else:
        lines.append(_("Ideas waiting for review: {n}, the oldest first.").format(n=waiting))
    if waiting > SHOWN:
        lines.append(_("Here are the {shown} oldest: decide on them to see the next ones.")
                     .format(shown=SHOWN))
    # Pending ideas are not for a group's eyes: they are listed in private only.
    if not await turn.reply(OutgoingMessage("\n".join(lines)), private=True):
        await turn.reply(OutgoingMessage(_(
            "Write to me in private first (/start): ideas are only shown there.")))
        return
    hoods = await turn.services.chats.neighbourhoods()
    for idea in pending:
        await turn.reply(_idea_message(turn, idea, hoods), private=True)


def _here(turn: Turn, idea: IdeaRecord) -> bool:
    """Whether this bot's facilitators see the idea: another commune's is unknown here."""
    return scope.owns(turn, idea.neighbourhood_id, idea.platform)


async def decide(turn: Turn, action: Action) -> str | None:
    """A facilitator pressed accept (``i.<id>.a``) or reject (``i.<id>.r``)."""
    _, services = turn._, turn.services
    sender = turn.event.sender
    if sender is None or not sender.is_facilitator:
        log.warning("refused an idea decision from a non-facilitator on %s",
                    turn.event.chat.platform)
        return _("Sorry, only facilitators can decide on ideas.")
    idea = await IdeaRepository(services.database).get(action.int_arg(0))
    if idea is None or not _here(turn, idea):
        return _("This idea no longer exists.")
    if sender.facilitator_here_only and (
        turn.chat is None or turn.chat.neighbourhood_id != idea.neighbourhood_id
    ):
        return _("As an admin of this group, you can only act on its own neighbourhood.")
    if action.args[1] != "a" and idea.status == PENDING:
        # A refusal needs its reason, which a button cannot carry: its author reads it.
        return _("To refuse idea #{id}, write /refuser {id} followed by the reason: its "
                 "author will read it.").format(id=idea.id)
    return await _decided(turn, idea, action.args[1] == "a", None)


async def reject(turn: Turn, args: tuple[str, ...]) -> None:
    """``/refuser <n> <raison>``: a facilitator refuses an idea and says why."""
    _, services = turn._, turn.services
    number = args[0].lstrip("#") if args else ""
    reason = " ".join(args[1:]).strip()
    if not number.isdigit() or not reason:
        await turn.reply(OutgoingMessage(_(
            "Write /refuser followed by the idea's number and the reason, e.g. /refuser 12 "
            "the square is already planned for a market.")))
        return
    idea = await IdeaRepository(services.database).get(int(number))
    sender = turn.event.sender
    if idea is None or not _here(turn, idea):
        notice = _("This idea no longer exists.")
    elif sender is not None and sender.facilitator_here_only and (
            turn.chat is None or turn.chat.neighbourhood_id != idea.neighbourhood_id):
        notice = _("As an admin of this group, you can only act on its own neighbourhood.")
    else:
        notice = await _decided(turn, idea, False, reason)
    await turn.reply(OutgoingMessage(notice))


async def _decided(turn: Turn, idea: IdeaRecord, accept: bool, reason: str | None) -> str:
    _, services = turn._, turn.services
    decision = await decide_idea(
        services.database, idea.id, accept, turn.pseudonym,
        services.clock.now(), services.default_language, reason,
    )
    if decision is None:
        return _("This idea no longer exists.")
    accepted = decision.idea.status == ACCEPTED
    if not decision.changed:
        status = _("accepted") if accepted else _("not retained")
        return _("Idea #{id} was already decided ({status}): nothing changed.").format(
            id=idea.id, status=status)
    services.wake()
    notice = (_("Idea #{id} accepted.") if accepted else _("Idea #{id} not retained.")).format(
        id=idea.id)
    if decision.author_told:
        notice += " " + _("Its author will be told.")
    return notice
