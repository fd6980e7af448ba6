"""Decide what a claimed delivery becomes: a message to send, private rows, or nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..campaigns import render
from ..campaigns.actions import Action
from ..campaigns.audience import Respondent, follow_up_audience
from ..chat.addresses import address_kinds
from ..chat.outgoing import Button, NativePoll, OutgoingMessage, Target
from ..clock import Clock
from ..domain.actor import Actor
from ..domain.addresses import is_resident_list
from ..privacy.pseudonyms import ActionSigner
from ..scenario.model import Announcement, Outcome, Poll, Results, Scenario, Training, pick
from ..scenario.snapshot import scenario_of
from ..scenario.timeline import AUDIENCE, CLOSE, COPIES, SEND, TOTALS
from ..stats.neighbourhoods import NeighbourhoodResults, tally_by_neighbourhood
from ..stats.suppression import SuppressedCounts, suppress_counts
from ..stats.tally import tally_poll
from ..store.actors import ActorRepository
from ..store.address_book import AddressBook
from ..store.answers import AnswerRepository
from ..store.campaigns import CampaignRepository
from ..store.chats import ChatRecord, ChatRepository
from ..store.database import Database
from ..store.deliveries import Delivery, DeliveryRepository, NewDelivery
from ..store.ideas import ACCEPTED, IdeaRepository
from ..store.residents import Reachable, ResidentRecord, ResidentRepository
from ..store.statistics import StatisticsQueries
from .personal import Personaliser


@dataclass(frozen=True)
class Send:
    target: Target
    message: OutgoingMessage


@dataclass(frozen=True)
class Expand:
    """Private rows to queue; ``unreachable`` rows are recorded skipped at once (counted)."""

    rows: list[NewDelivery]
    unreachable: list[NewDelivery] = field(default_factory=list)


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class Defer:
    """Not yet: try again in ``seconds`` (e.g. the step it builds on is still being sent)."""

    seconds: float
    reason: str


Plan = Send | Expand | Skip | Defer
FAN_OUTS = ("reminder", COPIES)
LIST_WAIT = 600.0  # seconds a resident list's row waits for its channel's adapter to run


@dataclass(frozen=True)
class ComposerSettings:
    language: str
    timezone: str
    min_cell: int


def encode_reply(message: OutgoingMessage) -> str:
    """A ready message stored as a delivery payload (replies to residents)."""
    return json.dumps({
        "text": message.text,
        "title": message.title,
        "edit_ref": message.edit_ref,
        "buttons": [[[b.label, b.action] for b in row] for row in message.buttons],
        "native_poll": asdict(message.native_poll) if message.native_poll else None,
        "stop_poll": message.stop_poll,
        "question": message.question,
    }, ensure_ascii=False)


def decode_reply(payload: str) -> OutgoingMessage:
    data: dict[str, Any] = json.loads(payload)
    poll = data.get("native_poll")
    return OutgoingMessage(
        text=data["text"], title=data.get("title"), edit_ref=data.get("edit_ref"),
        buttons=tuple(tuple(Button(label, action) for label, action in row)
                      for row in data.get("buttons", [])),
        native_poll=NativePoll(**{**poll, "options": tuple(poll["options"])}) if poll else None,
        stop_poll=bool(data.get("stop_poll")),
        question=bool(data.get("question")),
    )


class Composer:
    def __init__(
        self, database: Database, signer: ActionSigner, settings: ComposerSettings, clock: Clock
    ) -> None:
        self.database = database
        self.settings = settings
        self.signer = signer
        self.clock = clock
        self.campaigns = CampaignRepository(database)
        self.chats = ChatRepository(database)
        self.residents = ResidentRepository(database)
        self.answers = AnswerRepository(database)
        self.deliveries = DeliveryRepository(database)
        self.actors = ActorRepository(database)
        self.statistics = StatisticsQueries(database)
        self._scenarios: dict[str, Scenario] = {}
        self._claimed_chats: dict[int, ChatRecord] = {}  # the chats of the batch being sent
        # Platforms whose group buttons are seen by the group: private polls go to
        # residents' private chats too. Set by the worker from its adapters.
        self.private_copies: set[str] = set()
        # The running adapters (set by the worker): a resident list's rows fan out only when
        # its channel can send, so that a missing adapter leaves one row waiting, not one
        # per resident.
        self.running: set[str] | None = None
        # Residents reached one by one get their buttons as signed links (set by open_core).
        self.personalise: Personaliser | None = None
        self.address_book = AddressBook(database)

    def sign(self, action: Action) -> str:
        return self.signer.sign(action.encode())

    async def scenario(self, campaign_id: str) -> Scenario | None:
        if campaign_id not in self._scenarios:
            record = await self.campaigns.get(campaign_id)
            if record is None or record.status == "cancelled":
                return None
            self._scenarios[campaign_id] = scenario_of(record)
        return self._scenarios[campaign_id]

    def forget(self, campaign_id: str) -> None:
        self._scenarios.pop(campaign_id, None)

    async def read_chats(self, claimed: Sequence[Delivery], *, fresh: bool = True) -> None:
        """The chats of a claimed batch, in one read: a read per row was one of a group
        send's three trips to the database. ``fresh`` forgets the previous batch's (a reply
        claimed mid-batch adds its own). A chat another process unlinks meanwhile is seen at
        the next batch, a few seconds at 30 messages a second; one found unreachable here
        is skipped at once (the worker's lost chats)."""
        if fresh:
            self._claimed_chats = {}
        wanted = {d.chat_id for d in claimed if d.chat_id is not None}
        self._claimed_chats.update(await self.chats.get_many(wanted - self._claimed_chats.keys()))

    async def _chat(self, chat_id: int | None) -> ChatRecord | None:
        if chat_id is None:
            return None
        return self._claimed_chats.get(chat_id) or await self.chats.get(chat_id)

    async def compose(self, delivery: Delivery) -> Plan:
        if delivery.part == AUDIENCE and delivery.pseudonym is None:
            return await self._expand_audience(delivery)
        resident: ResidentRecord | None = None
        if delivery.pseudonym is not None:
            # /stop ends unsolicited private messages, not the answers to what one asks.
            resident = await self.residents.get(delivery.pseudonym)
            target = await self._private_target(resident, replying=delivery.part == "reply")
            if resident is None or target is None:
                return Skip("resident not reachable (erased, opted out or no private chat)")
            lang = resident.language or self.settings.language
        else:
            chat = await self._chat(delivery.chat_id)
            if chat is None or not chat.active:
                return Skip("chat inactive or unknown")
            if is_resident_list(chat.address):
                return await self._list(delivery, chat)
            target, lang = Target(chat.platform, chat.address, False), self.settings.language
        if delivery.payload is not None:
            reply = decode_reply(delivery.payload)
            if resident is not None and self._by_links(target.platform) \
                    and reply.personal is None:
                # A notice (a report's new status) to a resident reached one by one.
                assert self.personalise is not None
                reply = self.personalise.footer(reply, resident.tag, lang, self.clock.now())
            return Send(target, reply)
        plan = await self._campaign_message(delivery, target, lang)
        if isinstance(plan, Send) and resident is not None and self._by_links(target.platform):
            assert self.personalise is not None
            message = self.personalise(plan.message, resident.tag, lang, self.clock.now())
            return Send(target, message)
        return plan

    def _by_links(self, platform: str) -> bool:
        """Residents of this platform are reached one by one: buttons become links."""
        return self.personalise is not None and platform in address_kinds()

    async def _campaign_message(self, delivery: Delivery, target: Target, lang: str) -> Plan:
        if delivery.campaign_id is None or delivery.step_id is None:
            return Skip("nothing to send")
        scenario = await self.scenario(delivery.campaign_id)
        if scenario is None:
            return Skip("campaign cancelled")
        step = scenario.step(delivery.step_id)
        if delivery.part.startswith(FAN_OUTS) and delivery.pseudonym is None:
            return await self._expand(delivery, step)
        message = await self._message(delivery, step, lang)
        if isinstance(message, Skip):
            return message
        return Send(target, message)

    async def _actor(self, actor_id: str | None) -> Actor | None:
        """The directory entry a step names (checked at start; it may have gone since)."""
        return await self.actors.get(actor_id) if actor_id else None

    async def _private_target(
        self, resident: ResidentRecord | None, replying: bool = False
    ) -> Target | None:
        if resident is None or (resident.opted_out and not replying):
            return None
        address = await self.residents.address(resident.pseudonym)
        return Target(resident.platform, address, True) if address else None

    async def _list(self, delivery: Delivery, chat: ChatRecord) -> Plan:
        """A row for a neighbourhood's residents reached one by one: a step's message fans
        out to every active resident; reminders to those who have not answered. Closing a
        poll or showing its totals edits a group's message: e-mails cannot be edited (the
        scenario's results step tells everyone)."""
        if delivery.part in (CLOSE, TOTALS, COPIES):
            return Skip(f"no {delivery.part} for residents reached one by one")
        if self.running is not None and chat.platform not in self.running:
            return Defer(LIST_WAIT, f"the {chat.platform} adapter is not running")
        if delivery.campaign_id is None or delivery.step_id is None:
            return Skip("nothing to send")
        scenario = await self.scenario(delivery.campaign_id)
        if scenario is None:
            return Skip("campaign cancelled")
        step = scenario.step(delivery.step_id)
        if delivery.part.startswith("reminder"):
            return await self._expand(delivery, step)
        if chat.neighbourhood_id is None:
            return Skip("the list belongs to no neighbourhood")
        residents = await self.address_book.active_in(chat.neighbourhood_id, chat.platform)
        return Expand(self._private_rows(delivery, step.id, chat.id, residents))

    def _private_rows(
        self, delivery: Delivery, step_id: str, chat_id: int, residents: list[Reachable]
    ) -> list[NewDelivery]:
        now = self.clock.now()
        return [
            NewDelivery(
                # The tag, not the pseudonym: keys reach logs and Matrix transaction ids.
                dedupe_key=f"{delivery.campaign_id}:{step_id}:{delivery.part}:r:{who.tag}",
                part=delivery.part, due_at=max(now, delivery.due_at),
                campaign_id=delivery.campaign_id, step_id=step_id, chat_id=chat_id,
                pseudonym=who.pseudonym,
            )
            for who in residents
        ]

    async def _sibling(self, delivery: Delivery, part: str) -> Delivery | None:
        assert delivery.campaign_id and delivery.step_id
        found = await self.deliveries.find(
            delivery.campaign_id, delivery.step_id, part, delivery.chat_id
        )
        return next((d for d in found if d.pseudonym is None), None)

    async def _closes_text(self, delivery: Delivery, language: str) -> str | None:
        close = await self._sibling(delivery, CLOSE)
        if close is None:
            return None
        return render.local_time(close.due_at, self.settings.timezone, language)

    async def _message(self, delivery: Delivery, step: Any, lang: str) -> OutgoingMessage | Skip:
        part = delivery.part
        if isinstance(step, Announcement):
            return render.announcement_message(step, lang, await self._actor(step.actor))
        if isinstance(step, Results):
            return await self._results(delivery, step, lang)
        if isinstance(step, Outcome):
            return await self._outcome(delivery, step, lang)
        if part == SEND and isinstance(step, Poll):
            closes = await self._closes_text(delivery, lang)
            return render.poll_message(step, lang, delivery.id, self.sign, closes)
        if part == SEND and isinstance(step, Training):
            return render.training_invite(step, lang, delivery.id, self.sign,
                                          await self._actor(step.actor))
        sent = await self._sibling(delivery, SEND)
        if part == TOTALS and isinstance(step, Poll):
            return await self._totals(delivery, step, sent, lang)
        if part == CLOSE:
            if sent is None or sent.status != "sent":
                return Skip("the step was never sent: nothing to close")
            if isinstance(step, Poll):
                counts = await self._counts(delivery.campaign_id, step)
                beside = await self._per_neighbourhood(delivery.campaign_id, step)
                return render.poll_closed_message(step, lang, sent.platform_ref, counts,
                                                  self.settings.min_cell, beside)
            return render.training_closed_message(step, lang, sent.platform_ref)
        if part == COPIES and sent is not None:
            assert delivery.pseudonym and delivery.campaign_id
            campaign_id, pseudonym = delivery.campaign_id, delivery.pseudonym
            table = "answer" if isinstance(step, Poll) else "completion"
            if await self._has_responded(campaign_id, step.id, pseudonym, table):
                return Skip("answered in the meantime")
            if isinstance(step, Training):
                return render.training_invite(step, lang, sent.id, self.sign,
                                              await self._actor(step.actor))
            closes = await self._closes_text(delivery, lang)
            return render.poll_message(step, lang, sent.id, self.sign, closes)
        if part.startswith("reminder") and sent is not None:
            assert delivery.pseudonym and delivery.campaign_id
            table = "answer" if isinstance(step, Poll) else "completion"
            if await self._has_responded(delivery.campaign_id, step.id, delivery.pseudonym, table):
                return Skip("answered before the reminder went out")
            if isinstance(step, Poll):
                closes = await self._closes_text(delivery, lang)
                return render.reminder_message(step, lang, sent.id, self.sign, closes)
            return render.training_reminder(step, lang, sent.id, self.sign)
        return Skip(f"no message for part {part!r} of a {step.kind}")

    async def _totals(
        self, delivery: Delivery, poll: Poll, sent: Delivery | None, lang: str
    ) -> OutgoingMessage | Skip:
        assert delivery.campaign_id
        close = await self._sibling(delivery, CLOSE)
        if sent is None or sent.status != "sent" or (close and close.status != "pending"):
            return Skip("the poll is not open in this chat")
        scenario = await self.scenario(delivery.campaign_id)
        if scenario is not None and not scenario.live_totals(poll):
            return Skip("this poll's results stay hidden until it closes")
        totals = await self._counts(delivery.campaign_id, poll)
        if totals.total is None:
            return Skip("too few answers to show totals")
        closes = await self._closes_text(delivery, lang)
        return render.poll_message(poll, lang, sent.id, self.sign, closes, totals,
                                   self.settings.min_cell, edit_ref=sent.platform_ref)

    async def _per_neighbourhood(self, campaign_id: str | None, poll: Poll) -> bool:
        assert campaign_id
        scenario = await self.scenario(campaign_id)
        return scenario is not None and scenario.per_neighbourhood_results(poll.id)

    async def _split(self, campaign_id: str, poll: Poll) -> NeighbourhoodResults:
        tally = await tally_poll(self.database, campaign_id, poll)
        return tally_by_neighbourhood(tally, self.settings.min_cell)

    async def _counts(self, campaign_id: str | None, poll: Poll) -> SuppressedCounts:
        """The poll's answers so far, every platform together, small cells hidden; when a
        results step publishes each neighbourhood's figures, only the overall figures that
        cannot give one of theirs back (:mod:`animabot.stats.neighbourhoods`)."""
        assert campaign_id
        if await self._per_neighbourhood(campaign_id, poll):
            return (await self._split(campaign_id, poll)).overall
        tally = await tally_poll(self.database, campaign_id, poll)
        return suppress_counts(tally.counts, self.settings.min_cell, total=tally.respondents)

    async def _has_responded(
        self, campaign_id: str, step_id: str, pseudonym: str, table: str
    ) -> bool:
        if table == "answer":
            return bool(await self.answers.vote_of(campaign_id, step_id, pseudonym))
        return await self.answers.completed(campaign_id, step_id, pseudonym)

    async def _expand(self, delivery: Delivery, step: Any) -> Plan:
        """A fan-out row becomes one private row per resident who has not answered."""
        assert delivery.campaign_id and delivery.chat_id
        chat = await self._chat(delivery.chat_id)
        sent = await self._sibling(delivery, SEND)
        if delivery.part == COPIES:
            if chat is None or chat.platform not in self.private_copies:
                return Skip("group buttons are private on this platform: no copies needed")
            if sent is not None and sent.status in ("pending", "claimed", "sending"):
                return Defer(30, "the poll is still being sent in the group")
        # A resident list's step was "sent" by fanning out to each resident.
        done = ("sent", "expanded") if chat and is_resident_list(chat.address) else ("sent",)
        if chat is None or chat.neighbourhood_id is None or sent is None or (
                sent.status not in done):
            return Skip("the step was not sent in this chat: nobody to write to")
        table = "answer" if isinstance(step, Poll) else "completion"
        residents = await self.residents.reachable_non_respondents(
            chat.neighbourhood_id, chat.platform, delivery.campaign_id, step.id, table
        )
        return Expand(self._private_rows(delivery, step.id, chat.id, residents))

    async def _results(self, delivery: Delivery, step: Results, lang: str) -> OutgoingMessage:
        assert delivery.campaign_id
        scenario = await self.scenario(delivery.campaign_id)
        assert scenario is not None
        poll = scenario.step(step.of)
        assert isinstance(poll, Poll)
        heading = pick(step.text, lang) if step.text else None
        own = None
        if step.per_neighbourhood:
            chat = await self._chat(delivery.chat_id)
            hood = chat.neighbourhood_id if chat else None
            if hood is not None:
                split = await self._split(delivery.campaign_id, poll)
                names = await self.statistics.neighbourhood_names()
                own = (names.get(hood, hood), split.row(hood, len(poll.options["fr"])))
        overall = await self._counts(delivery.campaign_id, poll) if step.overall else None
        return render.results_message(poll, lang, overall, self.settings.min_cell, heading, own)

    async def _outcome(self, delivery: Delivery, step: Outcome, lang: str) -> OutgoingMessage:
        """What was decided and done: the poll's final figures (suppressed as its results
        are) and the accepted ideas named, or those of the chat's neighbourhood."""
        assert delivery.campaign_id
        scenario = await self.scenario(delivery.campaign_id)
        assert scenario is not None
        poll = scenario.step(step.poll) if step.poll else None
        poll = poll if isinstance(poll, Poll) else None
        figures = beside = None
        if poll is not None and step.figures:
            figures = await self._counts(delivery.campaign_id, poll)
            beside = await self._per_neighbourhood(delivery.campaign_id, poll)
        return render.outcome_message(
            step, lang, poll=poll, figures=figures, min_cell=self.settings.min_cell,
            ideas=await self._outcome_ideas(delivery, step), actor=await self._actor(step.actor),
            beside_neighbourhoods=bool(beside))

    async def _outcome_ideas(self, delivery: Delivery, step: Outcome) -> list[str]:
        ideas = IdeaRepository(self.database)
        if isinstance(step.ideas, list):
            found = [await ideas.get(number) for number in step.ideas]
            return [idea.text for idea in found if idea is not None and idea.status == ACCEPTED]
        if step.ideas is not True:
            return []
        chat = await self._chat(delivery.chat_id)
        if chat is None or chat.neighbourhood_id is None:
            return []
        accepted = await ideas.find(ACCEPTED, neighbourhood_id=chat.neighbourhood_id,
                                    limit=render.OUTCOME_IDEAS, newest_first=True)
        return [idea.text for idea in accepted]

    async def _expand_audience(self, delivery: Delivery) -> Plan:
        """A follow-up's row becomes a private row per resident whose latest answer holds
        one of the options, resolved now (answers may change until the poll closes)."""
        assert delivery.campaign_id and delivery.step_id
        scenario = await self.scenario(delivery.campaign_id)
        if scenario is None:
            return Skip("campaign cancelled")
        step = scenario.step(delivery.step_id)
        if not isinstance(step, Announcement) or step.audience is None:
            return Skip("not a follow-up aimed by answer")
        answers = await self.answers.respondents(delivery.campaign_id, step.audience.poll)
        chosen = follow_up_audience(step.audience, [Respondent(*row) for row in answers])
        due = max(self.clock.now(), delivery.due_at)

        def row(who: Respondent) -> NewDelivery:
            return NewDelivery(
                dedupe_key=f"{delivery.campaign_id}:{step.id}:{AUDIENCE}:r:{who.tag}",
                part=AUDIENCE, due_at=due, campaign_id=delivery.campaign_id, step_id=step.id,
                pseudonym=who.pseudonym,
            )

        return Expand([row(who) for who in chosen.reach], [row(who) for who in chosen.unreachable])
