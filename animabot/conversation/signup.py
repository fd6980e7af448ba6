"""Signing up from the public page, with double opt-in.

A sign-up puts a new resident in the address book as ``pending``, then proves the address is
theirs: by e-mail a signed confirmation link whose page asks for a button, by SMS a 6-digit
code typed on the page (a few tries only). Only then is the address ``active``, in the
neighbourhood and language asked for (carried by the signed token: a known address is changed
only by its owner). The messages go through the adapter's transactional send
(:class:`~animabot.chat.contract.TransactionalSender`): the address never leaves the adapter
and the address book. Sign-ups are limited per client address and per resident address, so
nobody uses the page to flood someone's inbox or phone.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from ..chat.addresses import AddressError, address_kinds
from ..chat.contract import TransactionalSender
from ..chat.outgoing import OutgoingMessage
from ..clock import Clock
from ..domain.addresses import AddressStatus
from ..errors import PlatformError
from ..i18n import normalise_language, translator
from ..privacy.links import (
    CONFIRM,
    SMS_CODE,
    LinkSigner,
    SignUpRequest,
    link_expiry,
    personal_url,
    sign_up_of,
)
from ..privacy.pseudonyms import Pseudonymizer
from ..store.address_book import AddressBook, Enrolment
from ..store.database import Database

log = logging.getLogger(__name__)
CODE_DIGITS = 6
CODE_TRIES = 5
PER_CLIENT = (5, timedelta(hours=1))  # sign-ups from one client address
PER_ADDRESS = (3, timedelta(days=1))  # confirmation messages to one resident address


class Outcome(StrEnum):
    LINK_SENT = "link_sent"  # e-mail: look in your mailbox
    CODE_SENT = "code_sent"  # SMS: type the code
    INVALID = "invalid"  # the address cannot be read (the message says why)
    LIMITED = "limited"  # too many sign-ups: later
    UNAVAILABLE = "unavailable"  # the channel is not set up, or its message failed


@dataclass(frozen=True)
class SignUpResult:
    outcome: Outcome
    detail: str = ""  # INVALID: why (never repeating the address)
    pending: str = ""  # CODE_SENT: the token the code page carries (``s`` action)


@dataclass
class Window:
    """At most ``limit`` events per ``span`` per key, in memory (one process serves the
    pages; a restart forgets, which only ever lets a few more through)."""

    limit: int
    span: timedelta
    seen: dict[str, deque[datetime]] = field(default_factory=dict)

    def allow(self, key: str, now: datetime) -> bool:
        times = self.seen.setdefault(key, deque())
        while times and times[0] <= now - self.span:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True


@dataclass
class _Code:
    digest: bytes
    expires_at: datetime
    tries: int = 0


class SignUps:
    def __init__(self, database: Database, pseudonymize: Pseudonymizer, links: LinkSigner,
                 clock: Clock, public_url: str,
                 senders: Mapping[str, TransactionalSender]) -> None:
        self.book = AddressBook(database)
        self.pseudonymize = pseudonymize
        self.links = links
        self.clock = clock
        self.public_url = public_url
        self.senders = senders
        self.per_client = Window(*PER_CLIENT)
        self.per_address = Window(*PER_ADDRESS)
        self._codes: dict[str, _Code] = {}

    def channels(self) -> list[str]:
        """The channels one can sign up on: an installed address kind whose adapter runs."""
        return [name for name in ("email", "sms")
                if name in address_kinds() and name in self.senders]

    async def request(self, neighbourhood_id: str, channel: str, raw: str, language: str,
                      client: str) -> SignUpResult:
        kind = address_kinds().get(channel)
        sender = self.senders.get(channel)
        if kind is None or sender is None:
            return SignUpResult(Outcome.UNAVAILABLE)
        _ = translator(language)
        try:
            address = kind.normalise(raw)
        except AddressError as exc:
            return SignUpResult(Outcome.INVALID, _(str(exc)))
        now = self.clock.now()
        pseudonym = self.pseudonymize(channel, address)
        if not self.per_client.allow(client, now) or not self.per_address.allow(pseudonym, now):
            log.warning("a sign-up was refused: too many from one client or to one address")
            return SignUpResult(Outcome.LIMITED)
        language = normalise_language(language)
        if await self.book.entry(pseudonym) is None:
            # A new address waits as pending; a known one is left as it is until its owner
            # confirms (nobody else can move it to another neighbourhood or language).
            await self.book.enrol_all([Enrolment(
                pseudonym, channel, address, neighbourhood_id, language, consent_at=now,
                status=AddressStatus.PENDING)], now)
        tag = await self.book.tag_of(pseudonym)
        assert tag is not None
        action = CONFIRM if channel == "email" else SMS_CODE
        asked = SignUpRequest(action, neighbourhood_id, language).action()
        token = self.links.sign(tag, asked, link_expiry(now, asked))
        if action == CONFIRM:
            text = "\n".join([
                _("Please confirm that you want to take part in your neighbourhood's "
                  "consultations."),
                _("Open this link and press the button to confirm (it works for 2 days):"),
                personal_url(self.public_url, token),
                _("If you did not ask for it, ignore this message: nothing will be sent to "
                  "you."),
            ])
            message = OutgoingMessage(text, title=_("Confirm your sign-up"))
        else:
            code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
            self._codes[tag] = _Code(self._digest(code), link_expiry(now, asked))
            message = OutgoingMessage(_("Your sign-up code: {code}").format(code=code))
        try:
            await sender.send_transactional(address, message)
        except PlatformError as exc:
            log.warning("a sign-up's confirmation could not be sent on %s: %s", channel, exc)
            return SignUpResult(Outcome.UNAVAILABLE)
        if action == CONFIRM:
            return SignUpResult(Outcome.LINK_SENT)
        return SignUpResult(Outcome.CODE_SENT, pending=token)

    def _digest(self, code: str) -> bytes:
        return hashlib.sha256(b"code|" + code.encode()).digest()

    async def check_code(self, pending: str, code: str) -> bool | None:
        """True: confirmed; False: wrong code (try again); None: no more tries, expired or
        unknown (sign up again)."""
        now = self.clock.now()
        link = self.links.verify(pending, now)
        asked = sign_up_of(link.action) if link else None
        if link is None or asked is None or asked.verb != SMS_CODE:
            return None
        waiting = self._codes.get(link.tag)
        if waiting is None or waiting.expires_at <= now or waiting.tries >= CODE_TRIES:
            self._codes.pop(link.tag, None)
            return None
        waiting.tries += 1
        if not hmac.compare_digest(waiting.digest, self._digest(code.strip())):
            return False
        del self._codes[link.tag]
        pseudonym = await self.book.pseudonym_of(link.tag)
        if pseudonym is None:
            return None
        await self.book.confirm(pseudonym, asked.neighbourhood_id, asked.language, now)
        log.info("a sign-up was confirmed by its SMS code")
        return True
