"""What an adapter must do. Implementations live in the top-level ``adapters`` package and are
found through the ``animabot.adapters`` entry-point group, so a new platform is a new folder.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from ..config import Settings
from ..privacy.pseudonyms import Pseudonymizer
from .events import InboundEvent
from .outgoing import OutgoingMessage, SendResult, Target

InboundHandler = Callable[[InboundEvent], Awaitable[str | None]]
"""The core's entry point for events; returns a short notice for the sender (a toast on
Telegram, a line in the console), or ``None``."""


@runtime_checkable
class ChatAdapter(Protocol):
    """A platform connection.

    ``send`` raises :mod:`animabot.errors` platform errors only: ``RateLimitedError`` (retry
    after), ``ChatUnreachableError`` (stop writing there), ``TransientError`` (safe to retry),
    ``DeliveryUnknownError`` (may have been delivered: do not retry). ``key`` is stable across
    retries of the same delivery: platforms with idempotent sends use it to drop duplicates,
    and such adapters set ``idempotent_sends`` so that in-flight rows are resent after a crash.
    """

    platform: str
    idempotent_sends: bool

    async def start(self, handler: InboundHandler) -> None:
        """Connect and begin delivering events to ``handler``; return once running."""
        ...

    async def stop(self) -> None:
        """Stop receiving; finish or abandon in-flight requests; release connections."""
        ...

    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        """Send (or edit) one message."""
        ...

    async def member_count(self, address: str) -> int | None:
        """How many people the group chat has now (the reach of a send), if known."""
        ...


@runtime_checkable
class TransactionalSender(Protocol):
    """An adapter that reaches residents one by one (e-mail, SMS) also sends the messages a
    sign-up needs before the address is active (its confirmation link, its code): to a raw
    address, outside the delivery worker, never for a campaign. The address stays inside the
    adapter and the address book; raises a ``PlatformError`` when it cannot be sent."""

    platform: str

    async def send_transactional(self, address: str, message: OutgoingMessage) -> None:
        ...


@runtime_checkable
class WebMount(Protocol):
    """An adapter whose platform calls back over HTTP (the SMS gateway's ``sms:received``
    webhook) mounts its endpoint on the public pages' application, which ``animabot run``
    serves on ``[web] listen``: ``mount(app)`` adds the route (``POST /sms/webhook``), which
    checks its own signature. ``app`` is an ``aiohttp.web.Application``; the core does not
    import aiohttp."""

    def mount(self, app: Any) -> None:
        ...


@runtime_checkable
class LedReceiver(Protocol):
    """An adapter whose inbound stream has one reader per bot (Telegram's getUpdates,
    Matrix's sync): with several workers on one database, only the leader reads it.

    ``led = True`` (set before :meth:`ChatAdapter.start`) makes ``start`` connect without
    reading; the leader then calls :meth:`start_receiving`, and :meth:`stop_receiving` when
    it loses the lead. A webhook (any worker may answer it) keeps running in every worker."""

    led: bool

    async def start_receiving(self) -> None:
        """Begin reading the inbound stream (from the position saved in the database)."""
        ...

    async def stop_receiving(self) -> None:
        """Stop reading it (another worker leads now)."""
        ...


class AdapterFactory(Protocol):
    """The object an ``animabot.adapters`` entry point names.

    Loading it must be light: a factory whose platform library comes with a pip extra
    imports that library in ``create`` only, and may declare ``extra`` (the extra's name)
    and ``requires`` (the top-level modules it needs), which the registry checks, without
    importing them, when the adapter is enabled (see :mod:`animabot.chat.registry`).

    An adapter brings its own configuration: ``settings_model`` (a subclass of
    :class:`animabot.config.AdapterSection`, defined in a light module that never imports the
    platform library) is its table, named after the adapter (``[telegram]``); the core
    validates it with the rest of the file, locates its faults by line and reports its
    ``problems()``. A neighbourhood lists the adapter's chats under
    ``endpoints = { NAME = [...] }``; :meth:`animabot.config.NeighbourhoodSettings.addresses`
    reads them. Console and simulated keep their tables in the core (the demo drives them).
    A factory may offer ``preview(settings, message) -> str``: the message as its residents
    will read it, as plain text, for the back-office's editor (its library imported lazily).
    """

    name: str

    def enabled(self, settings: Settings) -> bool:
        """Whether the configuration turns this adapter on."""
        ...

    def create(
        self, settings: Settings, pseudonymize: Pseudonymizer, **options: Any
    ) -> ChatAdapter:
        """Build the adapter; ``options`` carry extras such as a demo's simulation."""
        ...
