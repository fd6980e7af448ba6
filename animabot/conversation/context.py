"""Shared state of one inbound event's handling, and how replies are queued."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..campaigns.actions import Action
from ..campaigns.service import CampaignService
from ..chat.events import InboundEvent
from ..chat.outgoing import OutgoingMessage
from ..clock import Clock
from ..config import Settings
from ..delivery.composer import Composer, encode_reply
from ..i18n import Translate, translator
from ..privacy.pseudonyms import ActionSigner
from ..store.address_book import AddressBook
from ..store.answers import AnswerRepository
from ..store.chats import ChatRecord, ChatRepository
from ..store.database import Database
from ..store.deliveries import Delivery, DeliveryRepository, NewDelivery
from ..store.residents import ResidentRecord, ResidentRepository


@dataclass
class Services:
    """Everything handlers need; built once by the application."""

    database: Database
    signer: ActionSigner
    composer: Composer
    clock: Clock
    settings: Settings
    campaigns: CampaignService
    wake: Callable[[], None] = lambda: None
    reports_wake: Callable[[], None] = lambda: None  # a problem report to route
    chats: ChatRepository = field(init=False)
    residents: ResidentRepository = field(init=False)
    answers: AnswerRepository = field(init=False)
    deliveries: DeliveryRepository = field(init=False)
    address_book: AddressBook = field(init=False)

    def __post_init__(self) -> None:
        self.chats = ChatRepository(self.database)
        self.residents = ResidentRepository(self.database)
        self.answers = AnswerRepository(self.database)
        self.deliveries = DeliveryRepository(self.database)
        self.address_book = AddressBook(self.database)

    def sign(self, action: Action) -> str:
        return self.signer.sign(action.encode())

    @property
    def default_language(self) -> str:
        return self.settings.bot.language

    @property
    def min_cell(self) -> int:
        return self.settings.privacy.min_cell


@dataclass
class Turn:
    """One event from one resident: who, where, in which language; queues the replies."""

    services: Services
    event: InboundEvent
    resident: ResidentRecord
    chat: ChatRecord | None
    language: str
    _replies: int = 0
    _deliveries: dict[int, Delivery | None] = field(default_factory=dict)

    async def delivery(self, delivery_id: int) -> Delivery | None:
        """A delivery row as this turn first read it: a press checks its button against
        the row, then acts on it, in one unit of work (one read, not two)."""
        if delivery_id not in self._deliveries:
            self._deliveries[delivery_id] = await self.services.deliveries.get(delivery_id)
        return self._deliveries[delivery_id]

    def remember(self, delivery_id: int, delivery: Delivery | None) -> None:
        """A delivery row read by this turn another way (with the message's rows)."""
        self._deliveries[delivery_id] = delivery

    @property
    def _(self) -> Translate:
        return translator(self.language)

    @property
    def pseudonym(self) -> str:
        return self.resident.pseudonym

    async def reply(self, message: OutgoingMessage, *, private: bool | None = None) -> bool:
        """Queue a reply through the outbox (paced, retried, deduplicated by event id).

        ``private`` forces the private chat; returns False when the resident cannot be
        written to privately yet (never wrote to the bot in private)."""
        to_private = self.event.chat.private if private is None else private
        if to_private and await self.services.residents.address(self.pseudonym) is None:
            return False
        self._replies += 1
        key = f"reply:{self.event.chat.platform}:{self.event.event_id}:{self._replies}"
        row = NewDelivery(
            dedupe_key=key, part="reply", due_at=self.services.clock.now(),
            chat_id=None if to_private or self.chat is None else self.chat.id,
            pseudonym=self.pseudonym if to_private else None,
            payload=encode_reply(message),
        )
        await self.services.deliveries.add([row])
        self.services.wake()
        return True
