"""What the emulated Telegram knows: users, chats, messages, polls and the update queue."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

GROUP_TYPES = ("group", "supergroup")


@dataclass
class UserRecord:
    """A human user; `started` once they wrote to the bot in private."""

    id: int
    first_name: str
    language_code: str | None = "fr"
    username: str | None = None
    last_name: str | None = None
    started: bool = False
    blocked: bool = False


@dataclass
class ChatRecord:
    """A group; `bot_status` is the bot's ChatMember status there."""

    id: int
    type: str
    title: str
    members: set[int] = field(default_factory=set)
    admins: list[int] = field(default_factory=list)
    bot_status: str = "left"


@dataclass
class PollRecord:
    """A poll the bot sent; `votes` maps a user id to their chosen option ids."""

    id: str
    chat_id: int
    message_id: int
    question: str
    options: list[str]
    is_anonymous: bool
    type: str
    allows_multiple_answers: bool
    allows_revoting: bool
    members_only: bool
    correct_option_ids: list[int]
    explanation: str | None
    open_period: int | None
    close_date: int | None
    is_closed: bool = False
    hide_results_until_closes: bool = False
    votes: dict[int, tuple[int, ...]] = field(default_factory=dict)


@dataclass
class SentMessage:
    """One message the bot sent, or one edit of it (`edited`)."""

    chat_id: int
    message_id: int
    text: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    poll: dict[str, Any] | None
    edited: bool
    method: str
    date: int


@dataclass
class CallbackAnswer:
    """How the bot answered one callback query."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass
class Call:
    """One authorised request: the method as sent and its parameters.

    Form values stay strings (PTB sends `chat_id=42`), except JSON objects and arrays.
    """

    method: str
    params: dict[str, Any]
    at: float
    in_webhook_reply: bool = False  # carried by a webhook's answer, not a request of its own


@dataclass
class WebhookConfig:
    """An active webhook."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


class EmulatorState:
    """All mutable state, with no I/O: method handlers and test hooks both work on it."""

    def __init__(self, token: str, bot_username: str, now: Callable[[], float]) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = "Animabot Test"
        self.now = now
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.polls: dict[str, PollRecord] = {}
        self.files: dict[str, Any] = {}  # file_id → files.StoredFile
        self.updates: list[dict[str, Any]] = []
        self.sent: list[SentMessage] = []
        self.calls: list[Call] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.open_callbacks: set[str] = set()
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: WebhookConfig | None = None
        self.flood_429s = 0
        self.closing = False
        self._next_update_id = 1
        self._next_message_id: dict[int, int] = {}
        self._counter = 0
        self._wakeup = asyncio.Event()

    # --- clocks and ids -------------------------------------------------------------------
    def timestamp(self) -> int:
        """Current Unix time in whole seconds, as Telegram dates are."""
        return int(self.now())

    def next_message_id(self, chat_id: int) -> int:
        """Message ids count up per chat, as in private chats and groups."""
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def unique(self, prefix: str = "") -> str:
        """A fresh opaque identifier."""
        self._counter += 1
        return f"{prefix}{self._counter:06d}"

    # --- update queue and wake-ups --------------------------------------------------------
    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update of `kind` (message, callback_query, poll...) and wake waiters."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        self.wake()
        return update

    def confirm(self, offset: int) -> None:
        """getUpdates offset semantics: forget ids < offset; negative keeps the last -offset."""
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def pending(self, limit: int, allowed: list[str] | None) -> list[dict[str, Any]]:
        """Up to `limit` queued updates, optionally only of the allowed kinds."""
        if allowed:
            kinds = set(allowed)
            return [u for u in self.updates if kinds & u.keys()][:limit]
        return self.updates[:limit]

    def wake(self) -> None:
        """Wake everyone waiting on `changed()`: long polls, webhook worker, `wait_for`."""
        event, self._wakeup = self._wakeup, asyncio.Event()
        event.set()

    def changed(self) -> asyncio.Event:
        """An event set at the next change; take it before checking, then wait on it."""
        return self._wakeup

    # --- records --------------------------------------------------------------------------
    def record_call(
        self, method: str, params: dict[str, Any], *, in_webhook_reply: bool = False
    ) -> None:
        """Log one request (or a method a webhook's answer carried)."""
        self.calls.append(Call(method, params, time.monotonic(), in_webhook_reply))
        self.wake()

    def record_sent(
        self,
        message: dict[str, Any],
        method: str,
        *,
        raw_text: str | None = None,
        parse_mode: str | None = None,
        markup: dict[str, Any] | None = None,
        edited: bool = False,
    ) -> None:
        """Store the message as chats see it and log what the bot sent (text as sent)."""
        chat_id = message["chat"]["id"]
        self.messages[(chat_id, message["message_id"])] = message
        self.sent.append(
            SentMessage(
                chat_id=chat_id,
                message_id=message["message_id"],
                text=raw_text,
                parse_mode=parse_mode,
                reply_markup=markup,
                poll=message.get("poll"),
                edited=edited,
                method=method,
                date=message.get("edit_date", message["date"]),
            )
        )
        self.wake()

    def is_group(self, chat_id: int | str) -> bool:
        """Whether the chat is a known group (flood control limits groups per minute)."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        return chat is not None and chat.type in GROUP_TYPES
