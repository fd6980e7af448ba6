"""What a resident's personal link leads to, as the public web pages show it: a poll's answer
page, a training's reading page and quiz, the problem report page (residents reached by
e-mail or SMS report there what chat residents report with /signaler), unsubscribing, their
data and its erasure.

The web side only shows and confirms; every change happens here, as an inbound event of the
resident's platform journaled in the inbox with its effects (one unit of work), so a form sent
twice (a double click, a browser's resend) counts once. A vote goes through the very path of
a chat button (:func:`animabot.conversation.buttons.vote` behind
:meth:`Conversation.handle`): the same checks (closed poll, valid option), the same
replacement of an earlier answer, the same statistics.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..campaigns import actions, render
from ..campaigns.actions import Action
from ..chat.events import ButtonPressed, ChatRef, Sender
from ..domain.addresses import AddressStatus
from ..i18n import LANGUAGE_NAMES, normalise_language, translator
from ..privacy.links import (
    CONFIRM,
    DATA,
    REPORT,
    UNSUBSCRIBE,
    LinkSigner,
    PersonalLink,
    SignUpRequest,
    link_expiry,
    sign_up_of,
)
from ..problems.photos import PhotoStore, photo_folder
from ..scenario.model import Poll, Training, pick
from ..scenario.timeline import CLOSE
from ..store.address_book import AddressBook
from ..store.deliveries import Delivery
from ..store.inbox import InboxRepository
from ..store.problem_reports import NewProblemReport, ProblemReportRepository
from ..store.residents import ResidentRecord
from .context import Services
from .router import Conversation

log = logging.getLogger(__name__)
WEB = "web"  # the inbox's source for what the pages change besides votes


@dataclass(frozen=True)
class Visit:
    """A verified link and the resident it names."""

    token: str
    link: PersonalLink
    resident: ResidentRecord
    action: Action | None  # None for the link kinds that carry no button action (u, d, a)
    sign_up: SignUpRequest | None = None  # a sign-up's confirmation link

    @property
    def language(self) -> str:
        return normalise_language(self.resident.language)


@dataclass(frozen=True)
class PollView:
    delivery_id: int
    question: str
    options: tuple[str, ...]
    chosen: tuple[int, ...]
    multiple: bool
    closed: bool


@dataclass(frozen=True)
class QuizView:
    question: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class TrainingView:
    delivery_id: int
    title: str
    cards: tuple[str, ...]
    quiz: tuple[QuizView, ...]
    closed: bool


def event_id(token: str, what: str, nonce: str) -> str:
    """The inbox id of one sent form: the same form sent twice has the same id."""
    digest = hashlib.sha256(f"{token}|{what}|{nonce}".encode()).hexdigest()[:32]
    return f"{WEB}:{digest}"


class PersonalPages:
    def __init__(self, services: Services, conversation: Conversation,
                 links: LinkSigner) -> None:
        self.services = services
        self.conversation = conversation
        self.links = links
        self.inbox = InboxRepository(services.database)
        self.book = AddressBook(services.database)

    async def open(self, token: str) -> Visit | None:
        """The visit, or None: forged, altered, expired, or the resident erased since."""
        link = self.links.verify(token, self.services.clock.now())
        if link is None:
            return None
        pseudonym = await self.book.pseudonym_of(link.tag)
        resident = await self.services.residents.get(pseudonym) if pseudonym else None
        if resident is None:
            return None
        if link.action in (UNSUBSCRIBE, REPORT, DATA):
            return Visit(token, link, resident, None)
        sign_up = sign_up_of(link.action)
        if sign_up is not None:  # an SMS code's token is no link: the code is needed
            return Visit(token, link, resident, None, sign_up) \
                if sign_up.verb == CONFIRM else None
        action = actions.decode(link.action)
        if action is None or action.verb not in ("v", "p", "t"):
            return None
        return Visit(token, link, resident, action)

    async def _step(self, delivery_id: int) -> tuple[Delivery, Poll | Training] | None:
        delivery = await self.services.deliveries.get(delivery_id)
        if delivery is None or delivery.campaign_id is None or delivery.step_id is None:
            return None
        scenario = await self.services.composer.scenario(delivery.campaign_id)
        step = scenario.step(delivery.step_id) if scenario else None
        return (delivery, step) if isinstance(step, Poll | Training) else None

    async def _closed(self, delivery: Delivery) -> bool:
        assert delivery.campaign_id and delivery.step_id
        closes = await self.services.deliveries.find(
            delivery.campaign_id, delivery.step_id, CLOSE, delivery.chat_id)
        return any(c.due_at <= self.services.clock.now() for c in closes)

    async def poll(self, visit: Visit, language: str) -> PollView | None:
        """The poll a ``v``/``p`` link leads to, with the resident's current answer."""
        if visit.action is None or visit.action.verb not in ("v", "p"):
            return None
        found = await self._step(visit.action.int_arg(0))
        if found is None or not isinstance(poll := found[1], Poll):
            return None
        delivery = found[0]
        assert delivery.campaign_id
        chosen = await self.services.answers.vote_of(
            delivery.campaign_id, poll.id, visit.resident.pseudonym)
        return PollView(delivery.id, pick(poll.question, language),
                        tuple(pick(poll.options, language)), chosen, poll.multiple,
                        await self._closed(delivery))

    async def vote(self, visit: Visit, option: int, nonce: str) -> str | None:
        """Vote as the chat button of ``option`` would; the notice to show (None: this very
        form was already counted)."""
        if visit.action is None or visit.action.verb not in ("v", "p"):
            return None
        action = actions.vote(visit.action.int_arg(0), option)
        resident = visit.resident
        event = ButtonPressed(
            event_id=event_id(visit.token, action.encode(), nonce),
            chat=ChatRef(resident.platform, "", private=True),
            sender=Sender(resident.pseudonym, language_hint=resident.language),
            at=self.services.clock.now(), action=self.services.sign(action))
        return await self.conversation.handle(event)

    async def training(self, visit: Visit, language: str) -> TrainingView | None:
        if visit.action is None or visit.action.verb != "t":
            return None
        found = await self._step(visit.action.int_arg(0))
        if found is None or not isinstance(training := found[1], Training):
            return None
        delivery = found[0]
        return TrainingView(
            delivery.id, pick(training.title, language),
            tuple(pick(card.text, language) for card in training.cards),
            tuple(QuizView(pick(q.question, language), tuple(pick(q.options, language)))
                  for q in training.quiz),
            await self._closed(delivery))

    async def quiz(self, visit: Visit, question: int, option: int, nonce: str,
                   language: str) -> str | None:
        """Record a quiz answer (the first per question counts, as in chat); the feedback."""
        if visit.action is None or visit.action.verb != "t":
            return None
        found = await self._step(visit.action.int_arg(0))
        if found is None or not isinstance(training := found[1], Training):
            return None
        delivery = found[0]
        if not (0 <= question < len(training.quiz)
                and 0 <= option < len(training.quiz[question].options["fr"])):
            return None
        if await self._closed(delivery):
            return translator(language)("This micro-training is closed.")
        assert delivery.campaign_id
        resident, services = visit.resident, self.services
        pseudonym = resident.pseudonym

        async def record() -> None:
            now = services.clock.now()
            hood = resident.neighbourhood_id
            await services.answers.start_training(
                delivery.campaign_id or "", training.id, pseudonym, resident.platform, hood,
                now)
            await services.answers.see_card(delivery.campaign_id or "", training.id, pseudonym,
                                            len(training.cards))
            await services.answers.quiz_answer(
                delivery.campaign_id or "", training.id, pseudonym, question,
                option == training.quiz[question].correct - 1, len(training.quiz), now)

        await self._journaled(resident.platform,
                              event_id(visit.token, f"q.{question}.{option}", nonce), record)
        return render.quiz_feedback(training, language, question, option)

    async def unsubscribe(self, visit: Visit) -> None:
        """No more messages to this address (idempotent: unsubscribing twice is once)."""
        async def mark() -> None:
            await self.book.mark(visit.resident.pseudonym, AddressStatus.UNSUBSCRIBED,
                                 self.services.clock.now())
        await self._journaled(visit.resident.platform,
                              event_id(visit.token, UNSUBSCRIBE, "once"), mark)
        log.info("a resident unsubscribed from a personal link")

    async def confirm(self, visit: Visit) -> None:
        """A sign-up confirmed (double opt-in): the address becomes active."""
        asked = visit.sign_up
        if asked is None:
            return

        async def activate() -> None:
            assert asked is not None
            await self.book.confirm(visit.resident.pseudonym, asked.neighbourhood_id,
                                    asked.language, self.services.clock.now())
        await self._journaled(visit.resident.platform,
                              event_id(visit.token, CONFIRM, "once"), activate)
        log.info("a sign-up was confirmed")

    def report_link(self, visit: Visit) -> str | None:
        """The token of the resident's report page (offered on their data page), or None
        when no category is configured."""
        if not self.services.settings.reports.categories:
            return None
        now = self.services.clock.now()
        return self.links.sign(visit.link.tag, REPORT, link_expiry(now, REPORT))

    async def report(self, visit: Visit, category: str, text: str, photo: bytes | None,
                     latitude: float | None, longitude: float | None, nonce: str) -> int:
        """Record a report made on the web page, as /signaler records one in chat; its
        number. The photo is stripped of its metadata before it is written (raises
        :class:`~animabot.problems.photos.PhotoError` when unreadable); the platform is the
        resident's (e-mail, SMS), so that each change of status reaches them there. The same
        form sent twice makes one report."""
        services, resident = self.services, visit.resident
        store = PhotoStore(photo_folder(services.settings))
        ref = store.save(photo, services.settings.reports.max_photo_bytes) \
            if photo is not None else None
        reports = ProblemReportRepository(services.database)
        made: list[int] = []

        async def add() -> None:
            report = await reports.add(NewProblemReport(
                pseudonym=resident.pseudonym, platform=resident.platform,
                neighbourhood_id=resident.neighbourhood_id, category=category, text=text,
                photo_ref=ref, latitude=latitude, longitude=longitude), services.clock.now())
            made.append(report.id)

        if await self._journaled(resident.platform,
                                 event_id(visit.token, REPORT, nonce), add):
            services.reports_wake()
            log.info("problem report %d made on the web page (%s)", made[0],
                     resident.platform)
            return made[0]
        if ref is not None:  # the same form again: its photo is already kept
            store.delete(ref)
        latest = await reports.latest_of(resident.pseudonym)
        return latest.id if latest else 0

    async def my_data(self, visit: Visit, language: str) -> list[str]:
        """What is kept about the resident, as /mesdonnees says it."""
        _ = translator(language)
        services, resident = self.services, visit.resident
        answers, trainings = await services.answers.held_for(resident.pseudonym)
        hoods = await services.chats.neighbourhoods()
        entry = await self.book.entry(resident.pseudonym)
        return [
            _("- a pseudonym (not your name nor your account id): {p}…").format(
                p=resident.tag[:8]),
            _("- language: {value}").format(
                value=LANGUAGE_NAMES.get(visit.language, visit.language)),
            _("- neighbourhood: {value}").format(
                value=hoods.get(resident.neighbourhood_id or "", _("not chosen"))),
            _("- consent given on: {value}").format(
                value=resident.consent_at.date().isoformat() if resident.consent_at
                else _("not given")),
            _("- your address, to write to you: {value}").format(
                value=_("yes") if entry else _("no")),
            _("- poll answers: {n}").format(n=answers),
            _("- trainings followed: {n}").format(n=trainings),
        ]

    async def erase(self, visit: Visit) -> None:
        """/oubli: the resident and their address are erased (their links stop working)."""
        await self.services.residents.erase(visit.resident.pseudonym)
        log.info("a resident erased their data from a personal link")

    async def _journaled(self, platform: str, event: str,
                         work: Callable[[], Awaitable[None]]) -> bool:
        """``work`` once per event id, committed with its inbox record."""
        async with self.services.database.unit():
            if not await self.inbox.first_time(platform, event, self.services.clock.now()):
                return False
            await work()
            return True

