"""Who may the bot write to: the Bot API's "chat not found" and "Forbidden" answers."""

from __future__ import annotations

from typing import Any

from .params import Params, bad_request, forbidden
from .shapes import bot_json, chat_json, poll_json
from .state import EmulatorState


def resolve_chat(state: EmulatorState, params: Params, name: str = "chat_id") -> int:
    """The chat id of a known group or user, or the Bot API's 400 "chat not found"."""
    chat_id = params.chat_id(name)
    if isinstance(chat_id, int) and (chat_id in state.chats or chat_id in state.users):
        return chat_id
    raise bad_request("chat not found")


def check_can_write(state: EmulatorState, chat_id: int) -> None:
    """Raise the 403 Telegram answers when the bot may not post in this chat."""
    chat = state.chats.get(chat_id)
    if chat is not None:
        kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind}")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {kind}")
        return
    user = state.users[chat_id]
    if user.blocked:
        raise forbidden("bot was blocked by the user")
    if not user.started:
        raise forbidden("bot can't initiate conversation with a user")


def new_message(
    state: EmulatorState, chat_id: int, sender: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The common part of a new message in `chat_id`, from the bot unless `sender` is given."""
    return {
        "message_id": state.next_message_id(chat_id),
        "from": sender if sender is not None else bot_json(state),
        "chat": chat_json(state, chat_id),
        "date": state.timestamp(),
    }


def current_message(state: EmulatorState, chat_id: int, message_id: int) -> dict[str, Any] | None:
    """A stored message with its poll counts brought up to date."""
    message = state.messages.get((chat_id, message_id))
    if message is None:
        return None
    if "poll" in message:
        poll = state.polls.get(message["poll"]["id"])
        if poll is not None:
            message = message | {"poll": poll_json(poll)}
    return message


def own_message(
    state: EmulatorState, chat_id: int, message_id: int, missing: str
) -> dict[str, Any]:
    """A message the bot sent, or the 400 for editing a missing or foreign one."""
    message = current_message(state, chat_id, message_id)
    if message is None:
        raise bad_request(missing)
    if message["from"]["id"] != state.bot_id:
        raise bad_request("message can't be edited")
    return message
