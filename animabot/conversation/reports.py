"""``/signaler`` (``/report``, ``!signaler``): a resident reports a problem in the street, in a
private chat, one message at a time: a category (buttons), a short text, a photo and/or a
place, then "Send" and the report's number. A resident reached by e-mail or SMS (``SIGNALER``
by SMS) is answered with the link of their report page (:mod:`animabot.web.public`).

The report being told is a draft row (:mod:`animabot.store.problem_report_drafts`) written
in the unit of work that journals each message's event: a crash or a handler error loses
none of it. A photo is stripped of its metadata before it is kept (:mod:`~animabot.problems.
photos`); the service is reached by :mod:`animabot.problems.routing`, after the commit.
"""

from __future__ import annotations

import logging

from ..campaigns.actions import Action
from ..chat.addresses import address_kinds
from ..chat.events import LocationReceived, PhotoReceived
from ..chat.outgoing import Button, OutgoingMessage
from ..privacy.links import REPORT
from ..problems.photos import PhotoError, PhotoStore, photo_folder
from ..store.problem_report_drafts import DraftStep, ReportDraft, ReportDraftRepository
from ..store.problem_reports import NewProblemReport, ProblemReportRepository
from .context import Turn

log = logging.getLogger(__name__)
MAX_TEXT = 1000  # characters: a short description, not a letter


def _drafts(turn: Turn) -> ReportDraftRepository:
    return ReportDraftRepository(turn.services.database)


def _photos(turn: Turn) -> PhotoStore:
    return PhotoStore(photo_folder(turn.services.settings))


def _send_buttons(turn: Turn) -> tuple[tuple[Button, ...], ...]:
    sign, _ = turn.services.sign, turn._
    return ((Button(_("Send the report"), sign(Action("rs", ()))),
             Button(_("Cancel"), sign(Action("rx", ())))),)


async def start(turn: Turn, args: tuple[str, ...]) -> str | None:
    """Begin a report: the categories as buttons (a new report replaces one left unfinished)."""
    _, services = turn._, turn.services
    if not turn.event.chat.private:
        hint = OutgoingMessage(_("To report a problem, write to me in private: /signaler"))
        if not await turn.reply(hint, private=True):
            await turn.reply(hint)
        return None
    categories = services.settings.reports.categories
    if not categories:
        await turn.reply(OutgoingMessage(_("Problem reports are not open here yet.")))
        return None
    personalise = services.composer.personalise
    if turn.event.chat.platform in address_kinds() and personalise is not None:
        # E-mail and SMS carry no photo nor place well: their residents use the web page.
        link = personalise.url(turn.resident.tag, REPORT, services.clock.now())
        await turn.reply(OutgoingMessage(_(
            "To report a problem in the street (with a photo or a place), open your "
            "page: {link}").format(link=link)))
        return None
    await _discard(turn)
    await _drafts(turn).save(ReportDraft(turn.pseudonym, turn.event.chat.platform,
                                         DraftStep.CATEGORY), services.clock.now())
    buttons = tuple((Button(c.name, services.sign(Action("r", (c.id,)))),) for c in categories)
    cancel = ((Button(_("Cancel"), services.sign(Action("rx", ()))),),)
    await turn.reply(OutgoingMessage(
        _("Report a problem in your neighbourhood. What is it about?"), buttons + cancel))
    return None


async def choose_category(turn: Turn, action: Action) -> str | None:
    _, services = turn._, turn.services
    category = services.settings.reports.category(action.args[0])
    if category is None:
        return _("This category no longer exists: /signaler to start again.")
    draft = await _drafts(turn).get(turn.pseudonym) or ReportDraft(
        turn.pseudonym, turn.event.chat.platform, DraftStep.TEXT)
    step = DraftStep.DETAILS if draft.text else DraftStep.TEXT
    await _drafts(turn).save(draft.but(category=category.id, step=step), services.clock.now())
    if step is DraftStep.TEXT:
        await turn.reply(OutgoingMessage(_(
            "{category}: describe the problem in a few words (what, and where exactly).")
            .format(category=category.name)))
    else:
        await _ask_details(turn)
    return None


async def text(turn: Turn, draft: ReportDraft, words: str) -> None:
    """The description (at the text step, or a correction later)."""
    _ = turn._
    words = words.strip()
    if len(words) > MAX_TEXT:
        await turn.reply(OutgoingMessage(_(
            "Your description is {length} characters long, and the limit is {limit}. "
            "Could you make it shorter?").format(length=len(words), limit=MAX_TEXT)))
        return
    step = DraftStep.DETAILS if draft.category else DraftStep.CATEGORY
    await _drafts(turn).save(draft.but(text=words, step=step), turn.services.clock.now())
    if draft.category is None:
        await turn.reply(OutgoingMessage(_("Noted. Now choose a category above.")))
        return
    await _ask_details(turn)


async def _ask_details(turn: Turn) -> None:
    await turn.reply(OutgoingMessage(turn._(
        "Now send a photo and/or your location (paper clip → Location), then press "
        "“Send the report”."), _send_buttons(turn)))


async def photo(turn: Turn, event: PhotoReceived) -> str | None:
    _, services = turn._, turn.services
    draft = await _drafts(turn).get(turn.pseudonym)
    if draft is None:
        await turn.reply(OutgoingMessage(_(
            "To report a problem with this photo, start with /signaler.")))
        return None
    limit = services.settings.reports.max_photo_bytes
    if event.too_large or event.data is None:
        await turn.reply(OutgoingMessage(_(
            "This photo could not be received (it may be over {mb} MB): try a smaller one.")
            .format(mb=limit // 1_000_000)))
        return None
    store = _photos(turn)
    try:
        ref = store.save(event.data, limit)
    except PhotoError as exc:
        log.info("a report's photo was refused: %s", exc)
        await turn.reply(OutgoingMessage(_(
            "This file could not be read as a photo: send a JPEG or PNG photo.")))
        return None
    if draft.photo_ref:
        store.delete(draft.photo_ref)
    changed = draft.but(photo_ref=ref)
    if event.caption and not draft.text:
        changed = changed.but(text=event.caption.strip()[:MAX_TEXT])
    await _drafts(turn).save(changed, services.clock.now())
    await turn.reply(OutgoingMessage(
        _("Photo received (its hidden data, such as the place it was taken, was removed)."),
        _send_buttons(turn)))
    return None


async def location(turn: Turn, event: LocationReceived) -> str | None:
    _ = turn._
    draft = await _drafts(turn).get(turn.pseudonym)
    if draft is None:
        await turn.reply(OutgoingMessage(_(
            "To report a problem at this place, start with /signaler.")))
        return None
    if not (-90 <= event.latitude <= 90 and -180 <= event.longitude <= 180):
        return None
    await _drafts(turn).save(draft.but(latitude=event.latitude, longitude=event.longitude),
                             turn.services.clock.now())
    await turn.reply(OutgoingMessage(_("Location received."), _send_buttons(turn)))
    return None


async def send(turn: Turn, action: Action) -> str | None:
    _, services = turn._, turn.services
    draft = await _drafts(turn).get(turn.pseudonym)
    if draft is None:
        return _("This report was already sent or cancelled.")
    if draft.category is None:
        return _("Choose a category first.")
    if not draft.text and draft.photo_ref is None:
        return _("Describe the problem or send a photo first.")
    report = await ProblemReportRepository(services.database).add(NewProblemReport(
        pseudonym=turn.pseudonym, platform=turn.event.chat.platform,
        neighbourhood_id=turn.resident.neighbourhood_id, category=draft.category,
        text=draft.text, photo_ref=draft.photo_ref, latitude=draft.latitude,
        longitude=draft.longitude), services.clock.now())
    await _drafts(turn).drop(turn.pseudonym)
    services.reports_wake()
    log.info("problem report %d made on %s", report.id, turn.event.chat.platform)
    await turn.reply(OutgoingMessage(_(
        "Thank you! Your report is recorded as #{id}. It goes to the service in charge, and "
        "you will be told here of each change.").format(id=report.id)))
    return None


async def cancel(turn: Turn, action: Action) -> str | None:
    await _discard(turn)
    await turn.reply(OutgoingMessage(turn._("Report cancelled.")))
    return None


async def _discard(turn: Turn) -> None:
    draft = await _drafts(turn).get(turn.pseudonym)
    if draft is None:
        return
    if draft.photo_ref:
        _photos(turn).delete(draft.photo_ref)
    await _drafts(turn).drop(turn.pseudonym)


async def pending_text(turn: Turn, words: str) -> bool:
    """Free text in private belongs to a report being told, if there is one."""
    draft = await _drafts(turn).get(turn.pseudonym)
    if draft is None:
        return False
    await text(turn, draft, words)
    return True
