"""Telegram updates as neutral events. Raw user ids stop here: senders become pseudonyms, and
a private chat's id (the only way to write back) travels as ``private_address`` only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, Chat, ChatMember, Message, Update, User

from animabot.chat.events import (
    BotJoinedChat,
    BotLeftChat,
    ButtonPressed,
    ChatRef,
    CommandReceived,
    InboundEvent,
    LocationReceived,
    NativePollAnswered,
    NativePollTallied,
    PhotoReceived,
    Sender,
    TextReceived,
)
from animabot.privacy.pseudonyms import Pseudonymizer
from animabot.redaction import register_identity

PLATFORM = "telegram"
GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP)
PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)
GONE = (ChatMember.LEFT, ChatMember.BANNED)
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member", "poll", "poll_answer"]

IsAdmin = Callable[[int, int], Awaitable[bool]]
FetchFile = Callable[[str], Awaitable[bytes | None]]


async def _no_fetch(file_id: str) -> bytes | None:
    return None


@dataclass(frozen=True)
class PressUpdate:
    """A button press, with only what is read of it: a thousand come at once after a poll,
    and PTB's parsing of the whole update (the pressed message's text and keyboard, a
    hundred attributes set one by one) was the largest share of a press's work."""

    update_id: int
    query_id: str
    user: User
    chat: Chat | None  # None: an inline-mode press, or a message too old to be shown
    message_id: int | None
    data: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any], bot: Bot | None) -> PressUpdate | None:
        """The press a webhook's JSON body carries, or None when it carries another update.
        Raises KeyError, TypeError or ValueError for a malformed one (as PTB's parsing)."""
        query = data.get("callback_query")
        if not isinstance(query, dict):
            return None
        user = User.de_json(query["from"], bot)
        if user is None:
            raise ValueError("a callback query without its sender")
        message, chat, message_id = query.get("message"), None, None
        # An inaccessible message has date 0 (Bot API); the bot did not send it, or long ago.
        if isinstance(message, dict) and message.get("date"):
            chat = Chat.de_json(message["chat"], bot)
            message_id = int(message["message_id"])
        return cls(int(data["update_id"]), str(query["id"]), user, chat, message_id,
                   query.get("data"))

    @classmethod
    def of(cls, update: Update) -> PressUpdate | None:
        """The press a parsed update carries (polling), or None."""
        query = update.callback_query
        if query is None:
            return None
        message = query.message if isinstance(query.message, Message) else None
        return cls(update.update_id, query.id, query.from_user,
                   message.chat if message else None,
                   message.message_id if message else None, query.data)


def ordering_key(update: Update | PressUpdate) -> tuple[str, int | str]:
    """Whose order an update belongs to: a person's (their presses, private messages and poll
    answers), a group's (its messages and the bot's membership), a poll's (its tallies).
    Updates with different keys may be handled at the same time."""
    if isinstance(update, PressUpdate):
        return "user", update.user.id
    if update.callback_query is not None:
        return "user", update.callback_query.from_user.id
    if update.poll_answer is not None and update.poll_answer.user is not None:
        return "user", update.poll_answer.user.id
    if update.poll is not None:
        return "poll", update.poll.id
    chat = update.effective_chat
    if chat is not None:
        return ("user" if chat.type == Chat.PRIVATE else "chat"), chat.id
    return "update", 0  # anything else: one line for all


def chat_ref(chat: Chat, platform: str = PLATFORM) -> ChatRef:
    """The chat as the core names it, on this bot (``telegram``, or a commune's own bot)."""
    if chat.type == Chat.PRIVATE:
        return ChatRef(platform, "", True)
    return ChatRef(platform, str(chat.id), False, chat.title or "")


class UpdateTranslator:
    def __init__(
        self, pseudonymize: Pseudonymizer, bot_username: str, facilitators: set[str],
        is_admin: IsAdmin, fetch: FetchFile = _no_fetch, max_file_bytes: int = 10_000_000,
        platform: str = PLATFORM,
    ) -> None:
        self.platform = platform  # this bot's name: a commune's own is telegram.<commune>
        self.fetch = fetch
        self.max_file_bytes = max_file_bytes
        self.pseudonymize = pseudonymize
        self.bot_username = bot_username.lower()
        self.facilitators = facilitators
        self.is_admin = is_admin

    async def sender(
        self, user: User | None, chat: Chat | None, *, command: bool = False
    ) -> Sender | None:
        """A person, never a bot: anonymous admins (GroupAnonymousBot) and channels are not
        trusted by id, so they are nobody here."""
        if user is None or user.is_bot:
            return None
        register_identity(user.id, user.first_name, user.last_name, user.username)
        private = chat is not None and chat.type == Chat.PRIVATE
        facilitator = str(user.id) in self.facilitators
        here_only = False
        if command and not facilitator and chat is not None and chat.type in GROUP_TYPES:
            facilitator = here_only = await self.is_admin(chat.id, user.id)
        return Sender(
            pseudonym=self.pseudonymize(self.platform, str(user.id)),
            language_hint=user.language_code,
            private_address=str(chat.id) if private and chat is not None else None,
            is_facilitator=facilitator,
            facilitator_here_only=here_only,
        )

    async def translate(self, update: Update) -> InboundEvent | None:
        event_id = str(update.update_id)
        if update.message is not None:
            return await self._message(event_id, update.message)
        press = PressUpdate.of(update)
        if press is not None:
            return await self.press(press)
        if update.my_chat_member is not None:
            change = update.my_chat_member
            old, new = change.old_chat_member.status, change.new_chat_member.status
            ref = chat_ref(change.chat, self.platform)
            if change.chat.type == Chat.PRIVATE:
                if new in GONE:  # the resident blocked the bot
                    sender = await self.sender(change.from_user, change.chat)
                    return BotLeftChat(event_id, ref, sender, change.date)
                return None
            if new in PRESENT and old in GONE:
                return BotJoinedChat(event_id, ref, None, change.date)
            if new in GONE and old not in GONE:
                return BotLeftChat(event_id, ref, None, change.date)
            return None
        if update.poll_answer is not None:
            answer = update.poll_answer
            sender = await self.sender(answer.user, None)
            if sender is None:
                return None
            private = ChatRef(self.platform, "", True)
            return NativePollAnswered(event_id, private, sender, _now(),
                                      poll_ref=answer.poll_id, options=tuple(answer.option_ids))
        if update.poll is not None:
            poll = update.poll
            return NativePollTallied(
                event_id, ChatRef(self.platform, "", False), None, _now(), poll_ref=poll.id,
                counts=tuple(option.voter_count for option in poll.options),
                voters=poll.total_voter_count,
            )
        return None

    async def press(self, press: PressUpdate) -> InboundEvent | None:
        if press.chat is None or press.data is None:
            return None  # inline-mode or inaccessible message: not ours
        sender = await self.sender(press.user, press.chat)
        return ButtonPressed(str(press.update_id), chat_ref(press.chat, self.platform), sender,
                             _now(),
                             action=press.data, message_ref=str(press.message_id))

    async def _message(self, event_id: str, message: Message) -> InboundEvent | None:
        text = message.text or ""
        ref = chat_ref(message.chat, self.platform)
        if text.startswith("/"):
            word, *args = text.split()
            name, _, addressee = word[1:].partition("@")
            if addressee and addressee.lower() != self.bot_username:
                return None  # a command for another bot in the same group
            sender = await self.sender(message.from_user, message.chat, command=True)
            return CommandReceived(event_id, ref, sender, message.date, command=name.lower(),
                                   args=tuple(args))
        if message.chat.type != Chat.PRIVATE:
            return None
        if text:
            sender = await self.sender(message.from_user, message.chat)
            return TextReceived(event_id, ref, sender, message.date, text=text)
        if message.location is not None:
            sender = await self.sender(message.from_user, message.chat)
            return LocationReceived(event_id, ref, sender, message.date,
                                    latitude=message.location.latitude,
                                    longitude=message.location.longitude)
        if message.photo or _image_document(message):
            return await self._photo(event_id, ref, message)
        return None

    async def _photo(self, event_id: str, ref: ChatRef, message: Message) -> InboundEvent:
        """The largest size under the limit (a photo), or the file itself (an image sent
        as a file keeps its metadata: the core strips it), fetched from the file endpoint."""
        sender = await self.sender(message.from_user, message.chat)
        caption = message.caption or ""
        if message.photo:
            fitting = [size for size in message.photo
                       if (size.file_size or 0) <= self.max_file_bytes]
            chosen = max(fitting, key=lambda size: size.width * size.height, default=None)
            file_id = chosen.file_id if chosen else None
        else:
            assert message.document is not None
            too_big = (message.document.file_size or 0) > self.max_file_bytes
            file_id = None if too_big else message.document.file_id
        if file_id is None:
            return PhotoReceived(event_id, ref, sender, message.date, too_large=True,
                                 caption=caption)
        data = await self.fetch(file_id)
        return PhotoReceived(event_id, ref, sender, message.date, data=data,
                             too_large=data is None, caption=caption)


def _image_document(message: Message) -> bool:
    document = message.document
    return document is not None and (document.mime_type or "").startswith("image/")


def _now() -> datetime:
    return datetime.now(UTC)
