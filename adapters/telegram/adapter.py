"""The Telegram adapter: python-telegram-bot's ``Bot`` for HTTP, our own update loop.

PTB's ``Updater`` confirms updates to Telegram (the next ``getUpdates`` offset) before the
handlers have run, so a crash loses them. Here the offset is saved only after each batch has
been journaled by the core's inbox, which drops the replays a crash causes: every update is
handled once. In webhook mode Telegram retries until we answer 200, which we do after
handling, for the same reason.

A batch's updates are handled concurrently across people and chats, in order for each (see
:mod:`animabot.chat.ordering`), and a button press is answered as soon as its vote is
journaled, on connections of its own: the Bot API takes 50-250 ms a call, and a resident
must not wait for everyone who pressed before them, nor for a broadcast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, Poll, Update
from telegram import error as tg
from telegram.constants import ParseMode

from animabot.chat.contract import InboundHandler
from animabot.chat.ordering import KeyedSerialExecutor
from animabot.chat.outgoing import OutgoingMessage, SendResult, Target
from animabot.config import Settings
from animabot.delivery.pacing import RateLimits
from animabot.errors import AnimabotError, StorageError, StorageUnavailableError
from animabot.privacy.pseudonyms import Pseudonymizer
from animabot.redaction import register_identity, register_secret
from animabot.store.state import PlatformState

from .answers import PressAnswers
from .counts import MemberCounts
from .errors import translate
from .rendering import html_text, keyboard
from .settings import file_url, telegram_settings
from .transport import AiohttpRequest
from .updates import ALLOWED_UPDATES, PLATFORM, PressUpdate, UpdateTranslator, ordering_key

log = logging.getLogger(__name__)
# httpx logs every request URL at INFO, and Bot API URLs carry the bot token.
for _noisy in ("httpx", "httpcore"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)
ADMIN_CACHE_SECONDS = 300
MAX_BACKOFF = 60.0
INBOUND_CONCURRENCY = 100  # updates handled at once (a getUpdates batch holds 100 at most)

COMMANDS: dict[str, list[tuple[str, str]]] = {
    "fr": [("start", "Commencer"), ("aide", "Aide"), ("langue", "Choisir la langue"),
           ("quartier", "Choisir son quartier"), ("mesdonnees", "Voir mes données"),
           ("oubli", "Effacer mes données"), ("signaler", "Signaler un problème"),
           ("stop", "Ne plus recevoir de messages privés")],
    "en": [("start", "Start"), ("help", "Help"), ("language", "Choose the language"),
           ("neighbourhood", "Choose your neighbourhood"), ("mydata", "See my data"),
           ("forget", "Erase my data"), ("report", "Report a problem"),
           ("stop", "No more private messages")],
}


@dataclass(frozen=True)
class PressAnswer:
    """A button press's answer (``answerCallbackQuery``): the toast the resident sees."""

    query_id: str
    text: str | None

    def as_method(self) -> dict[str, str]:
        """The call as a webhook's response carries it (the Bot API runs it; no round trip
        of its own, no result either)."""
        call = {"method": "answerCallbackQuery", "callback_query_id": self.query_id}
        return call | ({"text": self.text} if self.text else {})


class TelegramAdapter:
    platform = PLATFORM
    idempotent_sends = False  # the Bot API has no idempotency key

    def __init__(
        self, settings: Settings, pseudonymize: Pseudonymizer, state: PlatformState | None,
        name: str = PLATFORM,
    ) -> None:
        self.platform = name  # telegram, or a commune's own bot: telegram.<commune>
        config = telegram_settings(settings)
        token = settings.secret(config.token, config.token_file)
        if not token:
            raise AnimabotError(
                f"Telegram is enabled but has no token: set {config.env('token')}"
            )
        register_secret(token)
        self._token = token
        self._counts: MemberCounts | None = None
        self.config = config
        self.state = state
        self.pseudonymize = pseudonymize
        self.facilitators = set(settings.facilitators.ids(PLATFORM))
        self.limits = RateLimits(config.global_per_second, config.per_chat_per_second,
                                 config.group_per_minute)
        self.max_in_flight = config.in_flight  # the worker's lane: sends at once, still paced
        self.max_photo_bytes = settings.reports.max_photo_bytes
        self.bot = Bot(
            token, base_url=config.base_url, base_file_url=file_url(config),
            request=AiohttpRequest(64, read_timeout=config.read_timeout),
            get_updates_request=AiohttpRequest(1, read_timeout=config.poll_timeout + 10.0),
        )
        # Button answers get their own connections and a light client (see .answers).
        self._answers = PressAnswers(config.base_url, token, config.read_timeout)
        self._answering: set[asyncio.Task[None]] = set()
        self.inbound = KeyedSerialExecutor(INBOUND_CONCURRENCY)
        self.handler: InboundHandler | None = None
        self.translator: UpdateTranslator | None = None
        self._admins: dict[int, tuple[float, set[int]]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._webhook: Any = None
        self.led = False  # several workers: getUpdates only while this one leads

    async def start(self, handler: InboundHandler) -> None:
        self.handler = handler
        try:
            await self.bot.initialize()  # getMe: a wrong token fails here, loudly
        except tg.TelegramError as exc:
            raise AnimabotError(f"cannot reach Telegram at {self.config.base_url}: {exc}") from exc
        self.translator = UpdateTranslator(
            self.pseudonymize, self.bot.username, self.facilitators, self._is_admin,
            fetch=self._fetch_file, max_file_bytes=self.max_photo_bytes, platform=self.platform,
        )
        await self._set_commands()
        if self.config.mode == "webhook":
            from .webhook import WebhookServer

            self._webhook = WebhookServer(self, self.config)
            await self._webhook.start()
        else:
            await self.bot.delete_webhook()
            if not self.led:
                await self.start_receiving()
        log.info("telegram bot @%s started (%s)", self.bot.username, self.config.mode)

    async def start_receiving(self) -> None:
        """getUpdates from the saved offset (polling mode; a webhook is always on)."""
        if self.config.mode != "webhook" and self._loop_task is None:
            self._loop_task = asyncio.create_task(self._poll(), name="telegram-polling")

    async def stop_receiving(self) -> None:
        task, self._loop_task = self._loop_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def stop(self) -> None:
        await self.stop_receiving()
        if self._webhook is not None:
            await self._webhook.stop()
        await self.inbound.close()
        for task in list(self._answering):
            task.cancel()
        await asyncio.gather(*self._answering, return_exceptions=True)
        await self._answers.close()
        if self._counts is not None:
            await self._counts.close()
        with contextlib.suppress(tg.TelegramError):
            await self.bot.shutdown()

    async def _set_commands(self) -> None:
        scope = BotCommandScopeAllPrivateChats()
        try:
            for language, commands in COMMANDS.items():
                listed = [BotCommand(name, text) for name, text in commands]
                await self.bot.set_my_commands(listed, scope=scope, language_code=language)
            await self.bot.set_my_commands(
                [BotCommand(n, t) for n, t in COMMANDS["fr"]], scope=scope
            )
        except tg.TelegramError as exc:  # a convenience: never a reason not to start
            log.warning("could not set the command menu: %s", exc)

    # --- inbound -------------------------------------------------------------------------
    async def _poll(self) -> None:
        offset = await self._saved_offset()
        backoff = 1.0
        while True:
            try:
                updates, last = await self._get_updates(offset)
            except (tg.InvalidToken, tg.Forbidden) as exc:
                log.error("Telegram refused the bot token (%s): polling stopped", exc)
                return
            except tg.TelegramError as exc:
                log.warning("getUpdates failed (%s); retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
                continue
            try:
                offset = await self._handle_batch(updates, offset, last)
                backoff = 1.0
            except StorageUnavailableError:
                # Reported once by the database; the updates not handled yet are asked for
                # again from ``offset`` (Telegram keeps them) after a pause.
                log.debug("storage unavailable: updates kept for later (%.0f s)", backoff)
                await asyncio.sleep(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)

    async def _get_updates(self, offset: int) -> tuple[list[Update | PressUpdate], int | None]:
        """One ``getUpdates`` call: the batch's updates, and the last update id it held
        (None for none). Presses are read from the JSON as the webhook reads them
        (``PressUpdate``): ``Bot.get_updates`` parsed each whole, the pressed message's text
        and keyboard included, a hundred presses a call after a poll. ``Bot._post`` keeps
        PTB's request for getUpdates (its connection, its long-poll read time-out) and its
        errors; PTB is pinned below 23. An update that cannot be read is logged and passed
        over, not asked for again forever."""
        raw = await self.bot._post("getUpdates", {
            "offset": offset or None, "timeout": self.config.poll_timeout,
            "allowed_updates": list(ALLOWED_UPDATES)})
        if not isinstance(raw, list):
            raise tg.NetworkError("getUpdates answered something other than a list")
        updates: list[Update | PressUpdate] = []
        last: int | None = None
        for data in raw:
            try:
                last = int(data["update_id"])
                updates.append(PressUpdate.from_json(data, self.bot)
                               or Update.de_json(data, self.bot))
            except (KeyError, TypeError, ValueError, tg.TelegramError) as exc:
                log.warning("an update could not be read (%s): passed over",
                            type(exc).__name__)
        return updates, last

    async def _saved_offset(self) -> int:
        """The saved offset; a database that cannot be read yet is waited for."""
        delay = 1.0
        while True:
            try:
                return int(await self.state.get("offset") or 0) if self.state else 0
            except StorageError as exc:
                log.warning("cannot read the saved offset (%s): retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(MAX_BACKOFF, delay * 2)

    async def _handle_batch(self, updates: Sequence[Update | PressUpdate], offset: int,
                            last: int | None) -> int:
        """Hand the batch to the core (concurrently across people and chats, in order for
        each), answer its presses, then save the next offset; returns that offset. An update
        whose handling could not be saved stops its person's or chat's later updates and
        raises once the rest of the batch is done: nothing is confirmed, the batch comes
        again and the inbox drops what was handled."""
        for update in updates:
            self.inbound.submit(ordering_key(update), partial(self._handle, update))
        for error in await self.inbound.drain():
            if isinstance(error, StorageUnavailableError):
                raise error
        # The presses' answers leave before the batch is confirmed: once it is, a crash
        # would leave the ones still in flight unanswered for good (their updates never
        # come again). Journaled together (group commit), a batch's answers are all in
        # flight at once here: this waits about one round trip.
        await self.answered()
        if last is not None:  # the batch's last update id, read or not
            offset = last + 1
            if self.state is not None:
                await self.state.set("offset", str(offset))
        return offset

    async def receive(self, update: Update | PressUpdate) -> PressAnswer | None:
        """One update from the webhook, behind the same person's or chat's earlier ones.
        Returns a button press's answer for the webhook's response to carry (no request of
        its own); raises :class:`AnimabotError` when it was not journaled (Telegram must
        retry)."""
        return await self.inbound.submit(
            ordering_key(update), partial(self._handle, update, answer_now=False))

    async def _handle(self, update: Update | PressUpdate, *, answer_now: bool = True
                      ) -> PressAnswer | None:
        """Hand one update to the core; a button press's answer is sent at once on its own
        connection (``answer_now``), or returned for the webhook's response."""
        try:
            answer = await self.dispatch(update)
        except StorageUnavailableError:
            raise
        except Exception:  # a bug on one update must not stop the bot
            log.exception("update %d could not be handled: skipped", update.update_id)
            return None
        if answer is not None and answer_now:
            task = asyncio.create_task(self._answer(answer))
            self._answering.add(task)
            task.add_done_callback(self._answering.discard)
            return None
        return answer

    async def dispatch(self, update: Update | PressUpdate) -> PressAnswer | None:
        """Hand one update to the core; for a button press, the answer to give as soon as
        the core returns (its vote is journaled), without waiting for the rest of the
        batch."""
        assert self.handler is not None and self.translator is not None
        press = update if isinstance(update, PressUpdate) else PressUpdate.of(update)
        try:
            if press is not None:
                event = await self.translator.press(press)
            else:
                assert isinstance(update, Update)
                event = await self.translator.translate(update)
        except tg.TelegramError as exc:
            log.warning("update %d could not be read: %s", update.update_id, exc)
            return None
        if event is None:
            return None
        notice = await self.handler(event)
        if press is None:
            return None
        return PressAnswer(press.query_id, (notice or "")[:200] or None)

    async def answered(self) -> None:
        """Wait until every button press handled so far has been answered (tests, benches)."""
        while self._answering:
            await asyncio.gather(*self._answering, return_exceptions=True)

    async def _answer(self, answer: PressAnswer) -> None:
        await self._answers.send(answer.query_id, answer.text)

    async def _fetch_file(self, file_id: str) -> bytes | None:
        """A resident's photo from the Bot API's file endpoint (``base_file_url``), tried
        three times; None when it cannot be had (the resident is asked to send it again)."""
        for attempt in range(3):
            try:
                found = await self.bot.get_file(file_id)
                if found.file_size is not None and found.file_size > self.max_photo_bytes:
                    return None
                return bytes(await found.download_as_bytearray())
            except (tg.TimedOut, tg.NetworkError) as exc:
                log.info("a photo could not be fetched (try %d): %s", attempt + 1, exc)
            except tg.TelegramError as exc:
                log.warning("a photo could not be fetched: %s", exc)
                return None
        return None

    async def _is_admin(self, chat_id: int, user_id: int) -> bool:
        cached = self._admins.get(chat_id)
        if cached is None or time.monotonic() - cached[0] > ADMIN_CACHE_SECONDS:
            try:
                members = await self.bot.get_chat_administrators(chat_id)
            except tg.TelegramError as exc:
                log.info("cannot list a group's admins: %s", exc)
                return False
            cached = (time.monotonic(), {m.user.id for m in members if not m.user.is_bot})
            self._admins[chat_id] = cached
        return user_id in cached[1]

    # --- outbound ------------------------------------------------------------------------
    async def send(self, target: Target, message: OutgoingMessage, *, key: str) -> SendResult:
        chat_id = int(target.address)
        if target.private:  # a private chat's id is the person's user id
            register_identity(target.address)
        try:
            if message.stop_poll and message.edit_ref:
                return await self._stop_poll(chat_id, message.edit_ref)
            if message.edit_ref:
                return await self._edit(chat_id, message)
            if message.native_poll is not None:
                return await self._send_poll(chat_id, message)
            sent = await self.bot.send_message(
                chat_id, html_text(message), parse_mode=ParseMode.HTML,
                reply_markup=keyboard(message),
            )
            return SendResult(str(sent.message_id))
        except tg.TelegramError as exc:
            raise translate(exc) from exc

    async def _send_poll(self, chat_id: int, message: OutgoingMessage) -> SendResult:
        poll = message.native_poll
        assert poll is not None
        quiz = poll.quiz_correct is not None
        sent = await self.bot.send_poll(
            chat_id, poll.question[:300], [option[:100] for option in poll.options],
            is_anonymous=poll.anonymous, type=Poll.QUIZ if quiz else Poll.REGULAR,
            allows_multiple_answers=poll.multiple and not quiz,
            correct_option_ids=(  # PTB types the ids as 0-11 literals; ours is a checked int
                [poll.quiz_correct] if poll.quiz_correct is not None else None  # type: ignore[list-item]
            ),
            explanation=(poll.explanation or "")[:200] or None if quiz else None,
            hide_results_until_closes=poll.hide_results or None,
        )
        return SendResult(str(sent.message_id), poll_ref=sent.poll.id if sent.poll else None)

    async def _stop_poll(self, chat_id: int, ref: str) -> SendResult:
        poll = await self.bot.stop_poll(chat_id, int(ref))
        return SendResult(ref, poll_ref=poll.id,
                          tally=tuple(option.voter_count for option in poll.options),
                          voters=poll.total_voter_count)

    async def _edit(self, chat_id: int, message: OutgoingMessage) -> SendResult:
        assert message.edit_ref is not None
        try:
            await self.bot.edit_message_text(
                html_text(message), chat_id=chat_id, message_id=int(message.edit_ref),
                parse_mode=ParseMode.HTML, reply_markup=keyboard(message),
            )
        except tg.BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return SendResult(message.edit_ref)

    async def member_count(self, address: str) -> int | None:
        """``getChatMemberCount`` on a light client of its own (see :mod:`.counts`): it is
        asked once per group, beside the sends, and PTB's stack cost as much as a send."""
        if self._counts is None:
            self._counts = MemberCounts(self.config.base_url, self._token)
        return await self._counts.get(int(address))
