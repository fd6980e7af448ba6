"""The e-mail adapter: sends through the town hall's SMTP relay with aiosmtplib, over a few
reused connections, paced at ``[email] per_minute``.

What the relay answers decides what the worker does: a recipient refused for good (5xx on
RCPT) makes the address unreachable (``ChatUnreachableError``: recorded, reminders stop); a
refusal of the content (5xx on DATA) fails that row only; anything temporary (4xx, a lost
connection, a timeout) is retried by the delivery worker's backoff. The relay's words are
kept in the error without the address (they often quote it).
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets

import aiosmtplib

from animabot.chat.contract import InboundHandler
from animabot.chat.outgoing import OutgoingMessage, SendResult, Target
from animabot.clock import Clock, SystemClock
from animabot.config import Settings
from animabot.delivery.pacing import RateLimits
from animabot.errors import (
    AnimabotError,
    ChatUnreachableError,
    PlatformError,
    RejectedError,
    TransientError,
)
from animabot.redaction import ADDRESS, mask_addresses, register_address, register_secret

from .message import build_email, message_id
from .settings import EmailSettings, email_settings

log = logging.getLogger(__name__)
PLATFORM = "email"


def _words(exc: aiosmtplib.SMTPResponseException, address: str) -> str:
    """The relay's answer with the address taken out, short."""
    text = exc.message
    if address:
        text = re.sub(re.escape(address), ADDRESS, text, flags=re.IGNORECASE)
    return mask_addresses(f"{exc.code} {text}")[:200]


def classify(exc: Exception, address: str) -> PlatformError:
    """Turn what aiosmtplib raised into the worker's words (see the module's docstring)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        refused = exc.recipients[0] if exc.recipients else None
        if refused is not None and refused.code >= 500:
            return ChatUnreachableError(f"the relay refused the address for good: "
                                        f"{_words(refused, address)}")
        return TransientError("the relay refused the address for now" + (
            f": {_words(refused, address)}" if refused else ""))
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        if exc.code >= 500:
            return ChatUnreachableError(f"the relay refused the address for good: "
                                        f"{_words(exc, address)}")
        return TransientError(f"the relay refused the address for now: {_words(exc, address)}")
    if isinstance(exc, aiosmtplib.SMTPDataError) and exc.code >= 500:
        return RejectedError(f"the relay refused the message: {_words(exc, address)}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        # 4xx anywhere, or a 5xx on MAIL FROM / authentication: the relay or our settings,
        # not the resident's address. Retried; it ends "failed" after max_attempts.
        return TransientError(f"the relay answered {_words(exc, address)}")
    return TransientError(f"cannot reach the SMTP relay: {type(exc).__name__}")


class EmailAdapter:
    platform = PLATFORM
    # A resend after a crash carries the same Message-ID (derived from the delivery key):
    # mail clients and mailbox providers show a repeated Message-ID once.
    idempotent_sends = True
    private_buttons_in_groups = True  # no groups: each resident gets their own links

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.config: EmailSettings = email_settings(settings)
        if not settings.web.public_url:
            raise AnimabotError(
                "e-mail needs [web] public_url: every e-mail carries personal links to it "
                "(answers, unsubscribing); write public_url = \"https://participer.ville.fr\"")
        self.password = settings.secret(self.config.password, self.config.password_file)
        register_secret(self.password)
        self.clock = clock or SystemClock()
        self.limits = RateLimits(global_per_second=self.config.per_minute / 60)
        self.max_in_flight = self.config.in_flight
        self._idle: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
        self._room = asyncio.Semaphore(self.config.in_flight)

    async def start(self, handler: InboundHandler) -> None:
        """Nothing comes in by e-mail; connections are opened at the first send."""
        del handler
        log.info("e-mail through %s:%d as %s", self.config.smtp_host, self.config.smtp_port,
                 self.config.from_address)

    async def stop(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    async def member_count(self, address: str) -> int | None:
        return None  # no groups

    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        if message.personal is None:
            raise RejectedError("an e-mail needs its unsubscribe link: not sent")
        await self._deliver(message, target.address, key)
        return SendResult(message_id(key, self.config.from_address))

    async def send_transactional(self, address: str, message: OutgoingMessage) -> None:
        """A sign-up's confirmation link to an address not active yet (no unsubscribe
        link: there is no subscription until the person confirms)."""
        await self._deliver(message, address, f"confirm:{secrets.token_hex(16)}")

    async def _deliver(self, message: OutgoingMessage, address: str, key: str) -> None:
        register_address(address)
        mail = build_email(message, address, key, self.config.from_address,
                           self.config.from_name, self.clock.now())
        async with self._room:
            client, reused = await self._client()
            try:
                await client.send_message(mail)
            except aiosmtplib.SMTPServerDisconnected as exc:
                # A kept connection the relay closed while idle: nothing was sent on it.
                self._drop(client, exc)
                if not reused:
                    raise classify(exc, address) from None
                client = await self._connect()
                try:
                    await client.send_message(mail)
                except Exception as again:
                    self._drop(client, again)
                    raise classify(again, address) from None
            except Exception as exc:
                self._drop(client, exc)
                raise classify(exc, address) from None
            self._idle.put_nowait(client)

    async def _client(self) -> tuple[aiosmtplib.SMTP, bool]:
        """An idle connection (``True``: reused), or a new one."""
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                return client, True
        return await self._connect(), False

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.config.smtp_host, port=self.config.smtp_port,
            use_tls=self.config.tls().use_tls, start_tls=self.config.tls().start_tls,
            timeout=self.config.timeout,
            username=self.config.username or None,
            password=self.password if self.config.username else None,
        )
        try:
            await client.connect()
        except Exception as exc:
            client.close()
            raise classify(exc, "") from None
        return client

    def _drop(self, client: aiosmtplib.SMTP, exc: Exception) -> None:
        """After a refused recipient the connection is still good (RSET is done by
        aiosmtplib); after anything else it is closed and a new one made next time."""
        answered = (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused)
        if isinstance(exc, answered) and client.is_connected:
            self._idle.put_nowait(client)
        else:
            client.close()
