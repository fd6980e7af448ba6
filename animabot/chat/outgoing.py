"""Neutral messages the core asks an adapter to send. Adapters render them natively."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # signed: adapters pass it back untouched in ButtonPressed


@dataclass(frozen=True)
class Target:
    """A group chat (``private=False``) or a person's private chat with the bot."""

    platform: str
    address: str
    private: bool


@dataclass(frozen=True)
class OutgoingMessage:
    """Plain text (adapters escape it for their markup) and optional rows of buttons.

    ``edit_ref`` asks to replace an earlier message (e.g. a poll that closed) rather than
    send a new one; adapters that cannot edit send a new message instead.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit_ref: str | None = None
    title: str | None = None  # a short heading some platforms show in bold


@dataclass(frozen=True)
class SendResult:
    ref: str | None  # the platform's message reference, stored on the delivery
