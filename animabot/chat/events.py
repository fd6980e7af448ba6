"""Neutral events an adapter hands to the core. Past tense: they already happened.

A sender is only ever a pseudonym. ``private_address`` is set only on events from a private
chat with the bot: it is the opaque value the adapter needs to write back, and the core keeps
it solely in the address book.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ChatRef:
    """Where the event happened; ``address`` is a group's id, or "" for a private chat."""

    platform: str
    address: str
    private: bool
    title: str = ""


@dataclass(frozen=True)
class Sender:
    pseudonym: str
    language_hint: str | None = None
    private_address: str | None = None
    is_facilitator: bool = False
    # A group's admin is a facilitator for that group only (not for the whole town).
    facilitator_here_only: bool = False


@dataclass(frozen=True)
class InboundEvent:
    event_id: str  # unique per platform: used to drop replays
    chat: ChatRef
    sender: Sender | None
    at: datetime


@dataclass(frozen=True)
class TextReceived(InboundEvent):
    text: str = ""


@dataclass(frozen=True)
class CommandReceived(InboundEvent):
    """``/aide`` on Telegram, ``!aide`` on Matrix, ``aide`` in the console: name without prefix."""

    command: str = ""
    args: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ButtonPressed(InboundEvent):
    action: str = ""  # the signed token the core put on the button
    # The platform's reference of the message the button was pressed on, when the platform
    # says (Telegram): a button naming a delivery is refused on another step's message.
    message_ref: str | None = None


@dataclass(frozen=True)
class NativePollAnswered(InboundEvent):
    """A resident answered a non-anonymous native poll (option indexes, 0-based)."""

    poll_ref: str = ""
    options: tuple[int, ...] = ()


@dataclass(frozen=True)
class NativePollTallied(InboundEvent):
    """New totals of an anonymous native poll (the platform does not say who voted)."""

    poll_ref: str = ""
    counts: tuple[int, ...] = ()
    voters: int = 0


@dataclass(frozen=True)
class BotJoinedChat(InboundEvent):
    member_count: int | None = None


@dataclass(frozen=True)
class BotLeftChat(InboundEvent):
    """Removed, kicked or banned: the chat can no longer be written to."""


@dataclass(frozen=True)
class PhotoReceived(InboundEvent):
    """A photo sent in a private chat, already fetched from the platform's file endpoint.

    ``data`` is None when it could not be fetched: ``too_large`` when the platform said it is
    over the size limit (it was not downloaded). The core strips its metadata before keeping
    it; the adapter never writes it anywhere."""

    data: bytes | None = None
    too_large: bool = False
    caption: str = ""


@dataclass(frozen=True)
class LocationReceived(InboundEvent):
    """A place shared in a private chat (WGS 84)."""

    latitude: float = 0.0
    longitude: float = 0.0
