"""Neutral messages the core asks an adapter to send. Adapters render them natively."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # signed: adapters pass it back untouched in ButtonPressed
    url: str | None = None  # a signed personal link, for channels without buttons (e-mail)

    @property
    def unnumbered(self) -> str:
        """The label without the "2. " the renderer puts before poll options, for adapters
        that list buttons under their own numbers (no "[2] 2. Non")."""
        return _NUMBERED.sub(lambda match: match.group(1) or "", self.label, count=1)


_NUMBERED = re.compile(r"^(✅ )?\d+\. ")


@dataclass(frozen=True)
class Target:
    """A group chat (``private=False``) or a person's private chat with the bot."""

    platform: str
    address: str
    private: bool


@dataclass(frozen=True)
class NativePoll:
    """Show the message's buttons as the platform's own poll widget, where it has one.

    Option ``i`` is button row ``i``: an answer to the native poll comes back as
    :class:`~animabot.chat.events.NativePollAnswered` and the core presses that button.
    """

    question: str
    options: tuple[str, ...]
    multiple: bool = False
    anonymous: bool = True  # anonymous polls report totals only (no voter ids)
    quiz_correct: int | None = None  # 0-based right option: a quiz
    explanation: str | None = None
    # Results shown only once the poll closes, where the platform can (Telegram
    # ``hide_results_until_closes``, Matrix undisclosed polls): ``live_results = false``.
    hide_results: bool = False


@dataclass(frozen=True)
class PersonalLinks:
    """What a message to a resident reached one by one (e-mail, SMS) carries besides its
    buttons' links: the page to answer or read on, the unsubscribe link, and the words
    around them in the resident's language (adapters translate nothing themselves)."""

    language: str
    unsubscribe: str  # a signed link; e-mail also puts it in List-Unsubscribe (RFC 8058)
    unsubscribe_label: str
    why: str  # why the resident receives this message
    page: str | None = None  # the answer or reading page (signed), for a poll or a training
    page_label: str = ""
    report: str | None = None  # the page to report a problem (signed), when reports are open
    report_label: str = ""


@dataclass(frozen=True)
class OutgoingMessage:
    """Plain text (adapters escape it for their markup) and optional rows of buttons.

    ``edit_ref`` asks to replace an earlier message (e.g. a poll that closed) rather than
    send a new one; adapters that cannot edit send a new message instead. With
    ``stop_poll``, the earlier message is a native poll to close.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit_ref: str | None = None
    title: str | None = None  # a short heading some platforms show in bold
    native_poll: NativePoll | None = None
    stop_poll: bool = False
    question: bool = False  # the buttons answer a question (poll, quiz): one may be chosen
    personal: PersonalLinks | None = None  # set for residents reached one by one


@dataclass(frozen=True)
class SendResult:
    ref: str | None  # the platform's message reference, stored on the delivery
    poll_ref: str | None = None  # the platform's poll id, when a native poll was sent
    tally: tuple[int, ...] | None = None  # final counts, when a native poll was stopped
    voters: int | None = None  # final number of voters, with ``tally``
