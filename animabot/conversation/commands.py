"""Residents' commands, French first with English aliases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..campaigns.actions import ERASE_NO, ERASE_YES, Action
from ..chat.addresses import address_kinds
from ..chat.outgoing import Button, OutgoingMessage
from ..domain.addresses import AddressStatus
from ..i18n import LANGUAGE_NAMES, LANGUAGES
from ..store.problem_reports import ProblemReportRepository
from ..store.timestamps import to_db
from . import directory, facilitators, ideas, one_by_one, reports, scope
from .context import Turn

Handler = Callable[[Turn, tuple[str, ...]], Awaitable[str | None]]

ALIASES: dict[str, str] = {
    "start": "start", "demarrer": "start",
    "aide": "help", "help": "help",
    "langue": "language", "language": "language",
    "quartier": "neighbourhood", "neighbourhood": "neighbourhood",
    "mesdonnees": "mydata", "mydata": "mydata",
    "oubli": "forget", "forget": "forget",
    "stop": "stop",
    "annuaire": "directory", "directory": "directory",
    "idee": "idea", "idea": "idea",
    "signaler": "report", "report": "report",
}


def help_text(turn: Turn) -> str:
    _ = turn._
    return "\n".join([
        _("I am the neighbourhood bot: polls, news and short trainings from your town hall."),
        _("Commands:"),
        _("/aide: this help"),
        _("/langue: choose French or English"),
        _("/quartier: choose your neighbourhood"),
        _("/annuaire: find a local association, shop or public service"),
        _("/idee: share an idea for the neighbourhood"),
        _("/signaler: report a problem in the street (with a photo or a place)"),
        _("/mesdonnees: see what is kept about you"),
        _("/oubli: erase what is kept about you"),
        _("/stop: no more private messages (reminders)"),
    ])


def language_buttons(turn: Turn) -> tuple[tuple[Button, ...], ...]:
    return (tuple(Button(LANGUAGE_NAMES[code], turn.services.sign(Action("l", (code,))))
                  for code in LANGUAGES),)


async def neighbourhood_buttons(turn: Turn) -> tuple[tuple[Button, ...], ...]:
    hoods = await scope.neighbourhoods(turn)  # a commune's bot: its commune's
    return tuple((Button(name, turn.services.sign(Action("h", (hood_id,)))),)
                 for hood_id, name in hoods.items())


async def start(turn: Turn, args: tuple[str, ...]) -> str | None:
    _ = turn._
    if not turn.event.chat.private:
        await turn.reply(OutgoingMessage(_("Write to me in private to take part: /start")))
        return None
    lines = [_("Hello! I bring you your neighbourhood's polls, news and short trainings.")]
    buttons: list[tuple[Button, ...]] = []
    if turn.resident.consent_at is None:
        lines.append(_(
            "Your answers are kept under a pseudonym; only anonymous totals are published, and "
            "counts under {n} are hidden. You can see or erase your data at any time "
            "(/mesdonnees, /oubli)."
        ).format(n=turn.services.min_cell))
        buttons.append((Button(_("I agree"), turn.services.sign(Action("c", ("y",)))),))
    else:
        lines.append(_("Welcome back!"))
    if turn.resident.opted_out:
        await turn.services.residents.update(turn.pseudonym, opted_out=False)
        lines.append(_("Private messages are on again."))
    buttons.extend(language_buttons(turn))
    await turn.reply(OutgoingMessage("\n".join(lines), tuple(buttons)))
    return None


async def show_help(turn: Turn, args: tuple[str, ...]) -> str | None:
    await turn.reply(OutgoingMessage(help_text(turn)))
    return None


async def language(turn: Turn, args: tuple[str, ...]) -> str | None:
    if args and args[0].lower() in LANGUAGES:
        return await set_language(turn, args[0].lower())
    await turn.reply(OutgoingMessage(turn._("Choose your language:"), language_buttons(turn)))
    return None


async def set_language(turn: Turn, code: str) -> str | None:
    await turn.services.residents.update(turn.pseudonym, language=code)
    turn.language = code
    await turn.reply(OutgoingMessage(turn._("Language set: English.")))
    return None


async def neighbourhood(turn: Turn, args: tuple[str, ...]) -> str | None:
    hoods = await scope.neighbourhoods(turn)
    if args and args[0] in hoods:
        return await set_neighbourhood(turn, args[0])
    buttons = await neighbourhood_buttons(turn)
    if not buttons:
        await turn.reply(OutgoingMessage(turn._("No neighbourhood is set up yet.")))
        return None
    await turn.reply(OutgoingMessage(turn._("Choose your neighbourhood:"), buttons))
    return None


async def set_neighbourhood(turn: Turn, hood_id: str) -> str | None:
    hoods = await scope.neighbourhoods(turn)
    if hood_id not in hoods:
        return turn._("Unknown neighbourhood.")
    await turn.services.residents.update(turn.pseudonym, neighbourhood_id=hood_id)
    await turn.reply(OutgoingMessage(
        turn._("Neighbourhood set: {name}.").format(name=hoods[hood_id])
    ))
    return None


def _by_text(turn: Turn) -> bool:
    """A resident reached one by one who writes back (SMS): short texts, no buttons."""
    return turn.event.chat.platform in address_kinds()


async def my_data(turn: Turn, args: tuple[str, ...]) -> str | None:
    if _by_text(turn):
        return await one_by_one.my_data(turn)
    _ = turn._
    services = turn.services
    resident = await services.residents.get(turn.pseudonym)
    assert resident is not None
    answers, trainings = await services.answers.held_for(turn.pseudonym)
    hoods = await services.chats.neighbourhoods()
    # The record's own random tag is shown, not the keyed pseudonym: after /oubli the person
    # comes back as a new record, and sees a new reference. Private messages (reminders)
    # need consent: without it, they are off whatever /stop says.
    private_on = resident.consent_at is not None and not resident.opted_out
    lines = [
        _("What is kept about you:"),
        _("- a pseudonym (not your name nor your account id): {p}…").format(p=resident.tag[:8]),
        _("- language: {value}").format(value=LANGUAGE_NAMES.get(turn.language, turn.language)),
        _("- neighbourhood: {value}").format(
            value=hoods.get(resident.neighbourhood_id or "", _("not chosen"))),
        _("- consent given on: {value}").format(
            value=to_db(resident.consent_at)[:10] if resident.consent_at else _("not given")),
        _("- poll answers: {n}").format(n=answers),
        _("- trainings followed: {n}").format(n=trainings),
        _("- problem reports: {n}").format(
            n=await ProblemReportRepository(services.database).held_for(turn.pseudonym)),
        _("- private messages: {value}").format(
            value=_("on") if private_on else _("off")),
        _("/oubli erases all of this."),
    ]
    await turn.reply(OutgoingMessage("\n".join(lines)), private=True)
    return None


async def forget(turn: Turn, args: tuple[str, ...]) -> str | None:
    """Ask first, with a way out: erasure cannot be undone."""
    if _by_text(turn):
        return await one_by_one.forget(turn, args)
    _ = turn._
    sign = turn.services.sign
    yes = Button(_("Yes, erase everything"), sign(Action("e", (ERASE_YES,))))
    no = Button(_("No, keep"), sign(Action("e", (ERASE_NO,))))
    await turn.reply(OutgoingMessage(
        _("Erase what is kept about you? Your past answers stay in the anonymous totals but "
          "are no longer linked to you. This cannot be undone."),
        ((yes, no),),
    ), private=True)
    return None


async def stop(turn: Turn, args: tuple[str, ...]) -> str | None:
    await turn.services.residents.update(turn.pseudonym, opted_out=True)
    if _by_text(turn):
        # A resident reached one by one (an SMS "STOP"): the address itself is unsubscribed,
        # in this same unit of work, and nothing more is written to it, not even a reply.
        await turn.services.address_book.mark(
            turn.pseudonym, AddressStatus.UNSUBSCRIBED, turn.services.clock.now())
        return None
    await turn.reply(OutgoingMessage(
        turn._("Done: no more private messages from me. /start to come back.")
    ), private=True)
    return None


HANDLERS: dict[str, Handler] = {
    "start": start, "help": show_help, "language": language, "neighbourhood": neighbourhood,
    "mydata": my_data, "forget": forget, "stop": stop,
    "directory": directory.search, "idea": ideas.submit, "report": reports.start,
}


async def run(turn: Turn, command: str, args: tuple[str, ...]) -> str | None:
    word = command.lower().lstrip("/!").split("@")[0]
    if word in facilitators.ALIASES:
        await facilitators.run(turn, facilitators.ALIASES[word], args)
        return None
    if word in facilitators.LINK_COMMANDS and not turn.event.chat.private:
        await facilitators.run(turn, "link", args)
        return None
    name = ALIASES.get(word)
    if name is None:
        if turn.event.chat.private:
            await turn.reply(OutgoingMessage(
                turn._("Unknown command. /aide lists what I understand.")
            ))
        return None
    return await HANDLERS[name](turn, args)


async def plain_text(turn: Turn, text: str) -> str | None:
    """Free text in private: part of a report being told, else the bot is not a chat
    partner, so point to the help."""
    if await reports.pending_text(turn, text):
        return None
    await turn.reply(OutgoingMessage(
        turn._("I only understand commands and buttons. /aide lists them.")
    ))
    return None
