"""What tests do to the emulated Telegram: users act, faults are scripted, records are read."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from . import files
from .access import current_message, new_message
from .faults import Fault, FaultPlan
from .shapes import chat_member_updated_json, poll_json, user_json
from .state import (
    GROUP_TYPES,
    Call,
    CallbackAnswer,
    ChatRecord,
    EmulatorState,
    SentMessage,
    UserRecord,
)


class EmulatorHooks:
    """Test-facing methods of `BotApiEmulator`; all synchronous except `wait_for`."""

    state: EmulatorState
    faults: FaultPlan
    privacy_mode: bool

    # --- the world ------------------------------------------------------------------------
    def add_user(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None = "fr",
        username: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """A user who has not started the bot yet; returns their `User` JSON."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = UserRecord(user_id, first_name, language_code, username, last_name)
        self.state.users[user_id] = user
        return user_json(user)

    def add_group(
        self,
        chat_id: int,
        title: str,
        members: Iterable[int],
        admins: Iterable[int] = (),
        chat_type: str | None = None,
    ) -> None:
        """A group the bot is not in yet; the first admin is its creator.

        Unknown member ids become users named "User <id>". The type defaults to
        "supergroup" for -100… ids, else "group".
        """
        if chat_id >= 0:
            raise ValueError("group ids are negative")
        kind = chat_type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        if kind not in GROUP_TYPES:
            raise ValueError(f"unknown group type {kind!r}")
        admin_ids = list(admins)
        for user_id in (*members, *admin_ids):
            self.state.users.setdefault(user_id, UserRecord(user_id, f"User {user_id}"))
        self.state.chats[chat_id] = ChatRecord(chat_id, kind, title, set(members), admin_ids)

    def add_bot_to_group(
        self, chat_id: int, by_user: int, as_admin: bool = False
    ) -> dict[str, Any]:
        """`by_user` adds the bot: queues my_chat_member left→member (or administrator)."""
        return self._set_bot_status(chat_id, by_user, "administrator" if as_admin else "member")

    def remove_bot_from_group(self, chat_id: int, by_user: int) -> dict[str, Any]:
        """`by_user` removes the bot: queues my_chat_member member→kicked."""
        return self._set_bot_status(chat_id, by_user, "kicked")

    def _set_bot_status(self, chat_id: int, by_user: int, new: str) -> dict[str, Any]:
        chat = self.state.chats[chat_id]
        old, chat.bot_status = chat.bot_status, new
        actor = user_json(self.state.users[by_user])
        payload = chat_member_updated_json(self.state, chat_id, actor, old, new)
        return self.state.push_update("my_chat_member", payload)

    def user_blocks_bot(self, user_id: int) -> dict[str, Any]:
        """The user blocks the bot: sends now fail with 403; queues my_chat_member."""
        return self._set_blocked(user_id, True)

    def user_unblocks_bot(self, user_id: int) -> dict[str, Any]:
        """The user unblocks the bot: queues my_chat_member kicked→member."""
        return self._set_blocked(user_id, False)

    def _set_blocked(self, user_id: int, blocked: bool) -> dict[str, Any]:
        user = self.state.users[user_id]
        user.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        payload = chat_member_updated_json(self.state, user_id, user_json(user), old, new)
        return self.state.push_update("my_chat_member", payload)

    # --- users act ------------------------------------------------------------------------
    def user_sends(self, user_id: int, chat_id: int, text: str) -> dict[str, Any]:
        """The user writes; returns the message JSON. A leading /command gets its entity.

        In private (chat_id == user_id) this marks the user as having started the bot (and
        unblocks it, as the client's "Restart" does). In a group the bot hears it only if it
        is in the group and, in privacy mode, if it is an admin or the text is a command or
        mentions it, as with Telegram.
        """
        user = self.state.users[user_id]
        if chat_id == user_id:
            if user.blocked:
                self.user_unblocks_bot(user_id)
            user.started = True
        elif chat_id not in self.state.chats:
            raise KeyError(f"unknown chat {chat_id}")
        message = new_message(self.state, chat_id, sender=user_json(user)) | {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            length = len(command.encode("utf-16-le")) // 2
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self.state.messages[(chat_id, message["message_id"])] = message
        if self._bot_hears(chat_id, text):
            self.state.push_update("message", message)
        return message

    def user_sends_photo(self, user_id: int, data: bytes, caption: str = "",
                         as_file: bool = False) -> dict[str, Any]:
        """The user sends a photo in private (as a photo, or as a file: a document that
        keeps the image's bytes); the bot fetches it with getFile and the file URL."""
        user = self.state.users[user_id]
        message = new_message(self.state, user_id, sender=user_json(user))
        if as_file:
            stored = files.store_file(self.state, data, "documents")
            message["document"] = {"file_id": stored.file_id,
                                   "file_unique_id": stored.file_unique_id,
                                   "file_name": "IMG_0001.jpg", "mime_type": "image/jpeg",
                                   "file_size": len(data)}
        else:
            message["photo"] = files.photo_sizes(self.state, data)
        if caption:
            message["caption"] = caption
        self.state.messages[(user_id, message["message_id"])] = message
        self.state.push_update("message", message)
        return message

    def user_sends_location(self, user_id: int, latitude: float, longitude: float
                            ) -> dict[str, Any]:
        """The user shares a place in private (paper clip → Location)."""
        user = self.state.users[user_id]
        message = new_message(self.state, user_id, sender=user_json(user))
        message["location"] = {"latitude": latitude, "longitude": longitude}
        self.state.messages[(user_id, message["message_id"])] = message
        self.state.push_update("message", message)
        return message

    def _bot_hears(self, chat_id: int, text: str) -> bool:
        chat = self.state.chats.get(chat_id)
        if chat is None or chat.bot_status == "administrator":
            return True
        if chat.bot_status != "member":
            return False
        mentioned = f"@{self.state.bot_username}".lower() in text.lower()
        return not self.privacy_mode or text.startswith("/") or mentioned

    def user_presses(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        strict: bool = True,
    ) -> str:
        """Queue a `callback_query` for a button of a bot message; returns the query id.

        With `strict`, the message must exist and carry a button with that callback_data.
        """
        message = current_message(self.state, chat_id, message_id)
        if message is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        datas = {button.get("callback_data") for row in rows for button in row}
        if strict and callback_data not in datas:
            raise ValueError(f"message {message_id} has no button with data {callback_data!r}")
        query_id = self.state.unique("cbq")
        self.state.open_callbacks.add(query_id)
        self.state.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user_json(self.state.users[user_id]),
                "message": message,
                "chat_instance": f"ci{abs(chat_id)}",
                "data": callback_data,
            },
        )
        return query_id

    def user_answers_poll(self, user_id: int, poll_id: str, option_ids: Iterable[int]) -> None:
        """The user votes (an empty list retracts): queues `poll_answer` if not anonymous,
        then a `poll` update with the new counts."""
        poll = self.state.polls[poll_id]
        chosen = tuple(sorted(set(option_ids)))
        if poll.is_closed:
            raise ValueError("the poll is closed")
        if any(not 0 <= i < len(poll.options) for i in chosen):
            raise ValueError(f"option ids out of range: {chosen}")
        if len(chosen) > 1 and not poll.allows_multiple_answers:
            raise ValueError("this poll allows a single answer")
        if poll.votes.get(user_id) and not poll.allows_revoting:
            raise ValueError("this poll does not allow changing an answer")
        poll.votes[user_id] = chosen
        if not poll.is_anonymous:
            self.state.push_update(
                "poll_answer",
                {
                    "poll_id": poll_id,
                    "user": user_json(self.state.users[user_id]),
                    "option_ids": list(chosen),
                    "option_persistent_ids": [str(i) for i in chosen],
                },
            )
        self.state.push_update("poll", poll_json(poll))

    def close_poll(self, poll_id: str) -> None:
        """Close a poll as its open_period running out would; queues a `poll` update."""
        poll = self.state.polls[poll_id]
        poll.is_closed = True
        self.state.push_update("poll", poll_json(poll))

    # --- faults ---------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next `count` calls (to `chat_id` only, if given) with this error,
        without performing them."""
        self.faults.add(
            Fault(
                "fail",
                method,
                count,
                status=status,
                description=description,
                retry_after=retry_after,
                chat_id=chat_id,
            )
        )

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Perform the next `count` calls but hold their answers `seconds` (at most until
        stop): the request left, the answer is lost to a client that timed out."""
        self.faults.add(Fault("delay", method, count, seconds=seconds))

    def close_connection_next(self, method: str, count: int = 1) -> None:
        """Drop the connection of the next `count` calls without performing them."""
        self.faults.add(Fault("close", method, count))

    # --- readers --------------------------------------------------------------------------
    @property
    def sent(self) -> list[SentMessage]:
        """Every message the bot sent, and every edit (`edited=True`), in order."""
        return self.state.sent

    def messages_to(self, chat_id: int, *, include_edits: bool = True) -> list[SentMessage]:
        """What the bot sent (and edited) in one chat."""
        return [
            m for m in self.state.sent if m.chat_id == chat_id and (include_edits or not m.edited)
        ]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message as the chat currently shows it (Bot API JSON), polls up to date."""
        return current_message(self.state, chat_id, message_id)

    @property
    def calls(self) -> list[Call]:
        """Every authorised request, in order."""
        return self.state.calls

    def calls_to(self, method: str) -> list[Call]:
        """The calls to one method (case-insensitive)."""
        return [c for c in self.state.calls if c.method.lower() == method.lower()]

    @property
    def callback_answers(self) -> dict[str, CallbackAnswer]:
        """answerCallbackQuery answers by callback query id."""
        return self.state.callback_answers

    @property
    def commands(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        """Commands by (scope key, language code); "default" and "" when not given."""
        return self.state.commands

    @property
    def last_update_id(self) -> int:
        """The id of the newest update queued so far (0 before any)."""
        return int(self.state._next_update_id) - 1

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by an offset (or webhook delivery)."""
        return self.state.updates

    @property
    def flood_429s(self) -> int:
        """How many 429s flood control answered (scripted failures not included)."""
        return self.state.flood_429s

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `predicate()` holds, re-checked at every request and update."""
        async with asyncio.timeout(timeout):
            while True:
                changed = self.state.changed()
                if predicate():
                    return
                await changed.wait()
