"""The core's single entry point for platform events.

The event id goes into the inbox in the same transaction as everything the handler writes
(one unit of work): a replayed update is then a no-op, and a crash or an error before the
commit leaves no trace, so the platform's replay handles it again. Facilitators' commands are
the exception (journaled first, run once): they may wait on slow work that must not hold the
database. Adapters confirm an
update to their platform only after ``handle`` returned; when the storage cannot be written,
``handle`` raises and the adapter tries the same update again later.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager

from ..chat.events import (
    BotJoinedChat,
    BotLeftChat,
    ButtonPressed,
    CommandReceived,
    InboundEvent,
    LocationReceived,
    NativePollAnswered,
    NativePollTallied,
    PhotoReceived,
    TextReceived,
)
from ..delivery.notices import chat_lost, remember_facilitator
from ..errors import GroupAbortedError, StorageUnavailableError
from ..i18n import normalise_language
from ..store.chats import ChatRecord
from ..store.inbox import InboxRepository, InboxStatus
from ..store.polls import PollTallyRepository
from . import buttons, commands, reports
from .context import Services, Turn

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # a handler error is retried this often, then the event is recorded failed


def _shareable(event: InboundEvent) -> bool:
    """Button presses come by the thousand at once (a poll): their units of work share
    transactions (:meth:`Database.shared_unit`), one resident's at most per transaction.
    Their writes are the resident's own rows or idempotent inserts, so what one press's
    unit sees of another's uncommitted work changes nothing."""
    return isinstance(event, ButtonPressed | NativePollAnswered)


def _slow(event: InboundEvent) -> bool:
    """Facilitators' commands (scenario checks, campaign starts): see ``_journal_first``."""
    return (isinstance(event, CommandReceived) and event.sender is not None
            and event.sender.is_facilitator)


class Conversation:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.inbox = InboxRepository(services.database)

    async def handle(self, event: InboundEvent) -> str | None:
        """Record and act in one transaction; returns a short notice for the sender (or None).

        Raises :class:`StorageUnavailableError` when nothing can be saved: the event is not
        done, and the adapter must offer it again."""
        kind, platform = type(event).__name__, event.chat.platform
        if _slow(event):
            return await self._journal_first(event)
        shared = _shareable(event)
        attempt = 1
        while attempt <= MAX_ATTEMPTS:
            try:
                async with self._unit(event, shared):
                    now = self.services.clock.now()
                    if not await self.inbox.first_time(platform, event.event_id, now):
                        log.debug("event %s already handled: ignored", event.event_id)
                        return None
                    return await self._dispatch(event)
            except StorageUnavailableError:
                raise
            except GroupAbortedError:  # another press's failure undid this one: not ours
                log.debug("event %s rolled back with its group: handled again alone",
                          event.event_id)
                shared = False
                continue
            except Exception as exc:
                shared = False  # a retry runs alone: its failure must not undo others
                if attempt < MAX_ATTEMPTS:
                    log.warning("could not handle a %s event on %s (%s): trying again",
                                kind, platform, type(exc).__name__)
                else:
                    log.exception("could not handle a %s event on %s after %d attempts: "
                                  "recorded as failed", kind, platform, attempt)
                attempt += 1
        await self.inbox.first_time(platform, event.event_id, self.services.clock.now(),
                                    InboxStatus.FAILED)
        return None

    def _unit(self, event: InboundEvent, shared: bool) -> AbstractAsyncContextManager[None]:
        """The event's unit of work: a press may share its transaction with other
        residents' presses (group commit), anything else has one of its own."""
        database = self.services.database
        if shared and event.sender is not None:
            return database.shared_unit(event.sender.pseudonym)
        return database.unit()

    async def _journal_first(self, event: InboundEvent) -> str | None:
        """A facilitator's command may wait on files and threads (a scenario check): it must
        not hold the database meanwhile, so it is journaled first and run once. A facilitator
        who sees no answer repeats it."""
        platform = event.chat.platform
        if not await self.inbox.first_time(platform, event.event_id, self.services.clock.now()):
            log.debug("event %s already handled: ignored", event.event_id)
            return None
        try:
            return await self._dispatch(event)
        except Exception:
            log.exception("could not handle a facilitator's command on %s: not retried",
                          platform)
            return None

    async def _dispatch(self, event: InboundEvent) -> str | None:
        services, now = self.services, self.services.clock.now()
        chat: ChatRecord | None
        if isinstance(event, BotJoinedChat):
            chat = await services.chats.register(
                event.chat.platform, event.chat.address, event.chat.title, now
            )
            log.info("bot added to chat %d on %s (%s)", chat.id, chat.platform,
                     chat.neighbourhood_id or "no neighbourhood yet")
            return None
        if isinstance(event, BotLeftChat) and not event.chat.private:
            chat = await services.chats.find(event.chat.platform, event.chat.address)
            if chat is not None:
                skipped = await chat_lost(services.database, chat.id, "bot removed", now)
                services.wake()
                log.warning("bot removed from chat %d on %s: %d pending deliveries skipped",
                            chat.id, chat.platform, skipped)
            return None
        if isinstance(event, NativePollTallied):
            await PollTallyRepository(services.database).record(
                event.poll_ref, event.counts, event.voters, now
            )
            return None
        if isinstance(event, BotLeftChat) and event.chat.private:
            if event.sender is not None:  # the resident blocked the bot: no more reminders
                await services.residents.update(event.sender.pseudonym, opted_out=True)
            return None
        if event.sender is None:
            return None
        chat = None
        if not event.chat.private:
            chat = await services.chats.find(event.chat.platform, event.chat.address)
            if chat is None:
                chat = await services.chats.register(
                    event.chat.platform, event.chat.address, event.chat.title, now
                )
        resident = await services.residents.touch(
            event.sender.pseudonym, event.chat.platform, now,
            neighbourhood_id=chat.neighbourhood_id if chat else None,
            private_address=event.sender.private_address if event.chat.private else None,
        )
        if event.sender.is_facilitator and event.chat.private:
            await remember_facilitator(services.database, event.sender.pseudonym, now)
        language = resident.language or normalise_language(
            event.sender.language_hint or services.default_language
        )
        turn = Turn(services, event, resident, chat, language)
        if isinstance(event, CommandReceived):
            return await commands.run(turn, event.command, event.args)
        if isinstance(event, ButtonPressed):
            return await buttons.press(turn, event.action)
        if isinstance(event, NativePollAnswered):
            return await buttons.native_answer(turn, event.poll_ref, event.options)
        if isinstance(event, TextReceived) and event.chat.private:
            return await commands.plain_text(turn, event.text)
        if isinstance(event, PhotoReceived) and event.chat.private:
            return await reports.photo(turn, event)
        if isinstance(event, LocationReceived) and event.chat.private:
            return await reports.location(turn, event)
        return None
