"""The SMS adapter: the SMS Gateway for Android (the town hall's phone and SIM, or its cloud
relay) through its official client, ``android-sms-gateway``.

Out: one SMS per message (:mod:`.rendering`), sent with an id derived from the delivery row,
so a resend after a crash or a time-out is dropped by the gateway (409) rather than sent
twice. Android lets an app send a limited number of SMS parts per half hour: the core's pacer
spreads messages under it, and the adapter counts parts (a long text is several) and asks to
retry later (``RateLimitedError``) rather than let the phone refuse them. An SMS cannot be
edited: an edit (a poll closing) sends nothing.

In: the gateway's ``sms:received`` webhooks (:mod:`.webhook`, signed). A number answers the
latest options sent to that number (a button press for the core), ``STOP`` unsubscribes from
everything, ``AIDE``/``HELP`` explains, ``DONNEES``/``DATA`` and ``OUBLI``/``FORGET`` are the
core's /mesdonnees and /oubli (erasure confirmed by a code sent to the number). Numbers are
E.164; only pseudonyms reach the core, the number only as the private address the core keeps
in its address book.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from android_sms_gateway import AsyncAPIClient, Message, TextMessage, Webhook, WebhookEvent
from android_sms_gateway import errors as gateway
from android_sms_gateway.ahttp import AiohttpAsyncHttpClient

from animabot.chat.contract import InboundHandler
from animabot.chat.events import ButtonPressed, ChatRef, CommandReceived, Sender
from animabot.chat.outgoing import OutgoingMessage, SendResult, Target
from animabot.config import Settings
from animabot.delivery.pacing import RateLimits
from animabot.errors import AnimabotError, RateLimitedError, RejectedError
from animabot.i18n import translator
from animabot.privacy.pseudonyms import Pseudonymizer
from animabot.redaction import register_identity, register_secret
from animabot.store.state import PlatformState

from .errors import translate
from .keywords import Intent, read
from .memory import Memory, OpenOptions, PartsBudget
from .rendering import SmsText, configured, render
from .residents import PLATFORM, e164, pseudonym
from .settings import sms_settings
from .webhook import WebhookEndpoint, WebhookServer

log = logging.getLogger(__name__)
WEBHOOK_ID = "animabot-sms-received"  # one registration, replaced at each start
LOCAL_REPLY_EVERY = 3600.0  # seconds between two help / not-understood SMS to one number


def gateway_id(key: str) -> str:
    """The gateway's message id for a delivery key: stable, at most 36 characters."""
    return "ab" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


class SmsAdapter:
    platform = PLATFORM
    idempotent_sends = True  # the message id makes a resend a 409, never a second SMS

    def __init__(self, settings: Settings, pseudonymize: Pseudonymizer,
                 state: PlatformState | None) -> None:
        config = sms_settings(settings)
        password = settings.secret(config.password, config.password_file)
        secret = settings.secret(config.webhook_secret, config.webhook_secret_file)
        if not (config.username and password and secret):
            raise AnimabotError("SMS is enabled but the gateway's username, password or "
                                "webhook signing key is missing: run `animabot config check`")
        register_secret(password)
        register_secret(secret)
        self.config = config
        self.language = settings.bot.language
        self.reports_open = bool(settings.reports.categories)  # AIDE mentions SIGNALER
        self.password = password
        self.pseudonymize = pseudonymize
        self.memory = Memory(state)
        span = config.window_minutes * 60
        self.budget = PartsBudget(config.max_per_window, span)
        self.limits = RateLimits(global_per_second=config.max_per_window / span,
                                 global_burst=config.max_per_window)
        self.max_in_flight = config.in_flight
        self.endpoint = WebhookEndpoint(secret, self.receive, tolerance=config.webhook_tolerance)
        self.server = WebhookServer(self.endpoint, config.webhook_listen, config.webhook_path)
        # With [web] listen, `animabot run` serves the endpoint with the residents' pages
        # (:meth:`mount`); else on our own listener, [sms] webhook_listen.
        self.on_public_pages = bool(settings.web.listen)
        self.client: AsyncAPIClient | None = None
        self._session: aiohttp.ClientSession | None = None
        self._handler: InboundHandler | None = None
        self._last_local_reply: dict[str, float] = {}

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self, handler: InboundHandler) -> None:
        self._handler = handler
        self.budget.load(await self.memory.load_sent())
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.config.request_timeout))
        self.client = AsyncAPIClient(
            self.config.username, self.password, base_url=self.config.gateway_url,
            http_client=AiohttpAsyncHttpClient(self._session))
        if not self.on_public_pages:
            await self.server.start()
        if self.config.webhook_url:
            try:
                await self.client.create_webhook(Webhook(
                    id=WEBHOOK_ID, url=self.config.webhook_url,
                    event=WebhookEvent.SMS_RECEIVED))
            except (gateway.APIError, aiohttp.ClientError, TimeoutError, OSError) as exc:
                log.warning("the SMS gateway did not register our webhook (%s): incoming SMS "
                            "will not arrive until it does", translate(exc))

    async def stop(self) -> None:
        await self.server.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None
        self.client = None

    async def member_count(self, address: str) -> int | None:
        return None  # an SMS reaches one person, never a group

    def mount(self, app: web.Application) -> None:
        """``POST /sms/webhook`` (``[sms] webhook_path``) on the residents' pages, which
        ``animabot run`` serves on ``[web] listen``; the signature is checked as ever."""
        self.endpoint.add_to(app, self.config.webhook_path)
        log.info("SMS webhook served with the residents' pages at %s", self.config.webhook_path)

    async def send_transactional(self, address: str, message: OutgoingMessage) -> None:
        """A sign-up's code to a number not active yet (outside the worker): under the same
        Android budget as every SMS, cut as every SMS."""
        register_identity(address)
        sms = self.render(message)
        await self._post(address, sms.text, gateway_id(f"signup:{secrets.token_hex(12)}"),
                         sms.count.segments)

    # --- out ------------------------------------------------------------------------------
    def render(self, message: OutgoingMessage) -> SmsText:
        return configured(message, self.config, self.language)

    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        if not target.private:
            raise RejectedError("SMS reaches people one by one, not groups")
        phone = target.address
        register_identity(phone)
        who = pseudonym(self.pseudonymize, phone)
        if message.edit_ref is not None:  # an SMS cannot be edited, and a new one costs
            if not message.buttons:
                await self.memory.close(who, message.edit_ref)
            return SendResult(ref=message.edit_ref)
        sms = self.render(message)
        message_id = gateway_id(key)
        await self._post(phone, sms.text, message_id, sms.count.segments)
        if sms.actions:
            await self.memory.remember(who, OpenOptions(message_id, sms.actions))
        return SendResult(ref=message_id)

    async def _post(self, phone: str, text: str, message_id: str, parts: int) -> None:
        if self.client is None:
            raise AnimabotError("the SMS adapter is not started")
        wait = self.budget.wait_for(parts)
        if wait > 0:
            raise RateLimitedError(wait, "Android's SMS limit")
        self.budget.take(parts)  # before the request: concurrent sends never overshoot
        try:
            await self.client.send(Message(phone_numbers=[phone], text_message=TextMessage(text),
                                           id=message_id))
        except gateway.APIError as exc:
            if exc.status_code != 409:  # 409: that id was accepted before, nothing is sent
                raise translate(exc) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise translate(exc) from exc
        finally:
            await self.memory.save_sent(list(self.budget.sent))

    # --- in -------------------------------------------------------------------------------
    async def receive(self, body: dict[str, Any]) -> None:
        """One verified webhook body: an ``sms:received`` is handled, other events ignored."""
        if body.get("event") != "sms:received" or not isinstance(body.get("payload"), dict):
            return
        payload: dict[str, Any] = body["payload"]
        event_id = str(body.get("id") or "")
        raw = str(payload.get("sender") or payload.get("phoneNumber") or "")
        phone = e164(raw)  # read as the import reads numbers: the same resident
        if not event_id or phone is None:
            log.info("incoming SMS without an event id or a valid number ignored")
            return
        register_identity(raw, phone)
        who = pseudonym(self.pseudonymize, phone)
        reading = read(str(payload.get("message") or ""))
        chat = ChatRef(PLATFORM, "", True)
        sender = Sender(who, language_hint="en" if reading.english else None,
                        private_address=phone)
        at = datetime.now(UTC)
        if reading.intent is Intent.STOP:
            # The core's stop marks the number unsubscribed in the address book (and opts
            # the resident out) in the unit of work that journals the SMS.
            await self._handle(CommandReceived(event_id, chat, sender, at, command="stop"))
            await self.memory.close(who)
            return
        if reading.intent is Intent.REPORT:  # the core sends the report page's link
            await self._handle(CommandReceived(event_id, chat, sender, at,
                                               command="signaler"))
            return
        if reading.intent in (Intent.DATA, Intent.FORGET):
            await self._privacy(phone, who, event_id, CommandReceived(
                event_id, chat, sender, at,
                command="mydata" if reading.intent is Intent.DATA else "forget",
                args=(reading.code,) if reading.code else ()))
            return
        if reading.intent is Intent.ANSWER:
            options = await self.memory.options(who)
            assert reading.number is not None
            if options is not None and reading.number <= len(options.actions):
                notice = await self._handle(ButtonPressed(
                    event_id, chat, sender, at, action=options.actions[reading.number - 1],
                    message_ref=options.ref))
                if notice and self.config.confirm_answers:
                    await self._reply(phone, notice, event_id)
                return
        language = "en" if reading.english else self.language
        await self._local_reply(phone, who, event_id, self._explanation(
            language, help_asked=reading.intent is Intent.HELP))

    async def _privacy(self, phone: str, who: str, event_id: str,
                       event: CommandReceived) -> None:
        """/mesdonnees, /oubli: the core answers through the outbox, or hands back a text
        to send from here: the goodbye once erased (the number has left the address book;
        nothing about it is kept here either), or an answer to a number that sent STOP."""
        said = await self._handle(event)
        if said:
            self._last_local_reply.pop(who, None)
            await self._reply(phone, said, event_id)

    async def _handle(self, event: Any) -> str | None:
        if self._handler is None:
            raise AnimabotError("the SMS adapter is not started")
        return await self._handler(event)

    def _explanation(self, language: str, *, help_asked: bool) -> str:
        _ = translator(language)
        if help_asked and self.reports_open:
            return _("To answer, send the number of your choice (1, 2...). SIGNALER to "
                     "report a problem in the street. STOP to receive no more SMS.")
        if help_asked:
            return _("To answer, send the number of your choice (1, 2...). DONNEES: what is "
                     "kept about you. STOP to receive no more SMS.")
        return _("Not understood. Send the number of your choice, HELP for help, STOP to "
                 "receive no more SMS.")

    async def _local_reply(self, phone: str, who: str, event_id: str, text: str) -> None:
        """A help or not-understood SMS, at most one an hour to a number (they cost)."""
        now = time.monotonic()
        last = self._last_local_reply.get(who)
        if last is not None and now - last < LOCAL_REPLY_EVERY:
            return
        self._last_local_reply[who] = now
        await self._reply(phone, text, event_id)

    async def _reply(self, phone: str, text: str, event_id: str) -> None:
        """An answer the adapter sends itself, keyed by the incoming event: a webhook retried
        by the gateway never makes a second SMS. Skipped (logged) when it cannot go now."""
        sms = render(OutgoingMessage(text), self.language, max_segments=self.config.max_segments,
                     sender_name=self.config.sender_name, with_stop_hint=False,
                     simplify_accents=self.config.accents == "simplify")
        try:
            await self._post(phone, sms.text, gateway_id(f"reply:{event_id}"),
                             sms.count.segments)
        except AnimabotError as exc:
            log.info("no SMS answer to incoming SMS %s: %s", event_id, exc)
