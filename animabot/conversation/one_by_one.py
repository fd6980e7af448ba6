"""/mesdonnees and /oubli for residents reached one by one by text (SMS): what fits an SMS.

**Data**: a short summary (a few counts) and a personal link to the web data page for the
full view (``d`` link, :mod:`animabot.privacy.links`), rather than the chat's ten lines:
SMS are counted and cut.

**Erasure is confirmed by a code sent to the number**, not by replying "yes": an SMS's
sender can be forged, and whoever forges a number never sees the code, which goes to the
real phone (as the sign-up's code proves the number is the person's). A reply ``OUBLI
123456`` (or ``OUI 123456``) within :data:`CODE_MINUTES` erases; a few wrong codes end the
request until the code expires; one code at a time per number, and no answer to a code
nobody asked for (each SMS costs, and a prankster could send them with someone's number).
The code waits in the platform's state keyed ``erase_code:<pseudonym>``, so an erasure
deletes it with everything else (:meth:`ResidentRepository.erase`). A web link to the
erasure page was the other choice; a code needs no smartphone, which is why SMS is here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from datetime import timedelta

from ..chat.outgoing import OutgoingMessage
from ..privacy.links import DATA
from ..store.problem_reports import ProblemReportRepository
from ..store.state import PlatformState
from .context import Turn

log = logging.getLogger(__name__)
CODE_DIGITS = 6
CODE_MINUTES = 15
CODE_TRIES = 3


def _key(pseudonym: str) -> str:
    return f"erase_code:{pseudonym}"  # ends with the pseudonym: erased with the resident


def _digest(code: str) -> str:
    return hashlib.sha256(b"erase|" + code.encode()).hexdigest()


async def _tell(turn: Turn, text: str) -> str | None:
    """Through the outbox (paced, retried); or, for a number that sent STOP, returned for
    the adapter to answer at once: a resident who stopped everything may still ask what is
    kept and have it erased, and only this answer goes."""
    if await turn.reply(OutgoingMessage(text), private=True):
        return None
    return text


async def my_data(turn: Turn) -> str | None:
    """The counts, and where to see the rest."""
    _ = turn._
    services = turn.services
    answers, trainings = await services.answers.held_for(turn.pseudonym)
    reports = await ProblemReportRepository(services.database).held_for(turn.pseudonym)
    lines = [_("Kept about you: your number, language, neighbourhood, {a} poll answers, "
               "{t} trainings, {r} reports.").format(a=answers, t=trainings, r=reports)]
    links = services.composer.personalise
    if links is not None and links.public_url:
        url = links.url(turn.resident.tag, DATA, services.clock.now())
        lines.append(_("Everything: {url}").format(url=url))
    lines.append(_("OUBLI to erase it all."))
    return await _tell(turn, "\n".join(lines))


async def forget(turn: Turn, args: tuple[str, ...]) -> str | None:
    """Without a code: send one. With one: erase when it is right. A text returned is for
    the adapter to send itself: the goodbye once erased (the outbox can no longer reach the
    number), or any answer to a number that sent STOP (:func:`_tell`)."""
    _ = turn._
    state = PlatformState(turn.services.database, turn.event.chat.platform)
    key, now = _key(turn.pseudonym), turn.services.clock.now()
    raw = await state.get(key)
    waiting = json.loads(raw) if raw else None
    if not args:
        if waiting is not None and waiting["until"] > now.timestamp():
            # One code per number at a time: OUBLI sent again and again (by a prankster
            # using someone's number) costs one SMS per CODE_MINUTES, not one each.
            log.info("an erasure code is already waiting: none sent again")
            return None
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        until = now + timedelta(minutes=CODE_MINUTES)
        await state.set(key, json.dumps({"digest": _digest(code), "until": until.timestamp(),
                                         "tries": 0}))
        return await _tell(turn, _(
            "To erase everything kept about you, your number included, reply OUBLI {code} "
            "within {minutes} minutes. Otherwise nothing is erased."
        ).format(code=code, minutes=CODE_MINUTES))
    # Every answer is an SMS the town hall pays for: codes typed with nothing waiting, or
    # past the tries, get none (a real resident's expired code is told once).
    if waiting is None or waiting["tries"] >= CODE_TRIES:
        log.info("an erasure code with no request waiting (or past its tries): ignored")
        return None
    if waiting["until"] <= now.timestamp():
        await state.set(key, "")
        return await _tell(turn, _(
            "No erasure is waiting (or its code has expired). Send OUBLI for a new code."))
    if not hmac.compare_digest(waiting["digest"], _digest(args[0].strip())):
        waiting["tries"] += 1
        await state.set(key, json.dumps(waiting))
        return await _tell(turn, _("This code is not the one sent. Nothing was erased."))
    await turn.services.residents.erase(turn.pseudonym)
    log.info("a resident erased their data by SMS")
    return _("Your data has been erased. Goodbye, and thank you!")
