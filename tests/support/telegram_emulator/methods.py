"""The Bot API method table, and the chat, command and webhook methods.

Every handler takes the state and the request's parameters, returns the `result` or raises
`ApiError`. getUpdates lives in the server: it is the one that waits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import files, messaging
from .access import check_can_write, resolve_chat
from .params import Params, bad_request
from .shapes import (
    bot_json,
    chat_full_info_json,
    chat_member_updated_json,
    group_member_status,
    member_json,
    user_json,
)
from .state import EmulatorState, WebhookConfig

Handler = Callable[[EmulatorState, Params], Any]

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SIMPLE_SCOPES = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")


def get_me(state: EmulatorState, params: Params) -> dict[str, Any]:
    """getMe."""
    return bot_json(state, full=True)


def get_chat(state: EmulatorState, params: Params) -> dict[str, Any]:
    """getChat: a ChatFullInfo."""
    chat_id = resolve_chat(state, params)
    if chat_id in state.chats:
        check_can_write(state, chat_id)
    return chat_full_info_json(state, chat_id)


def get_chat_member_count(state: EmulatorState, params: Params) -> int:
    """getChatMemberCount, the bot included."""
    chat_id = resolve_chat(state, params)
    chat = state.chats.get(chat_id)
    if chat is None:
        return 2
    check_can_write(state, chat_id)
    return len(chat.members | set(chat.admins)) + 1


def get_chat_member(state: EmulatorState, params: Params) -> dict[str, Any]:
    """getChatMember."""
    chat_id = resolve_chat(state, params)
    user_id = params.integer("user_id", required=True)
    if user_id == state.bot_id:
        user = bot_json(state)
    elif user_id in state.users:
        user = user_json(state.users[user_id])
    else:
        raise bad_request("user not found")
    if chat_id not in state.chats:
        if user_id not in (chat_id, state.bot_id):
            raise bad_request("user not found")
        return member_json("member", user)
    check_can_write(state, chat_id)
    return member_json(group_member_status(state, chat_id, user["id"]), user)


def get_chat_administrators(state: EmulatorState, params: Params) -> list[dict[str, Any]]:
    """getChatAdministrators: the owner first, then admins, then the bot if promoted."""
    chat_id = resolve_chat(state, params)
    chat = state.chats.get(chat_id)
    if chat is None:
        raise bad_request("there are no administrators in the private chat")
    check_can_write(state, chat_id)
    admins = [
        member_json(group_member_status(state, chat_id, uid), user_json(state.users[uid]))
        for uid in chat.admins
    ]
    if chat.bot_status == "administrator":
        admins.append(member_json("administrator", bot_json(state)))
    return admins


def leave_chat(state: EmulatorState, params: Params) -> bool:
    """leaveChat: the bot leaves a group, which it then hears as `my_chat_member`."""
    chat_id = resolve_chat(state, params)
    chat = state.chats.get(chat_id)
    if chat is None:
        raise bad_request("chat not found")
    check_can_write(state, chat_id)
    old, chat.bot_status = chat.bot_status, "left"
    update = chat_member_updated_json(state, chat_id, bot_json(state), old, "left")
    state.push_update("my_chat_member", update)
    return True


def _scope_key(params: Params) -> str:
    scope = params.obj("scope") or {"type": "default"}
    kind = scope.get("type") if isinstance(scope, dict) else None
    if kind in _SIMPLE_SCOPES:
        return str(kind)
    if kind in ("chat", "chat_administrators") and "chat_id" in scope:
        return f"{kind}:{scope['chat_id']}"
    if kind == "chat_member" and "chat_id" in scope and "user_id" in scope:
        return f"chat_member:{scope['chat_id']}:{scope['user_id']}"
    raise bad_request("can't parse BotCommandScope")


def set_my_commands(state: EmulatorState, params: Params) -> bool:
    """setMyCommands, stored per (scope, language_code)."""
    commands = params.obj("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.match(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = (_scope_key(params), params.text("language_code") or "")
    state.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


def get_my_commands(state: EmulatorState, params: Params) -> list[dict[str, str]]:
    """getMyCommands for exactly that scope and language."""
    key = (_scope_key(params), params.text("language_code") or "")
    return list(state.commands.get(key, []))


def delete_my_commands(state: EmulatorState, params: Params) -> bool:
    """deleteMyCommands."""
    state.commands.pop((_scope_key(params), params.text("language_code") or ""), None)
    return True


def set_webhook(state: EmulatorState, params: Params) -> bool:
    """setWebhook: any http(s) URL (loopback in tests); an empty URL removes the webhook."""
    url = params.text("url") or ""
    secret = params.text("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: invalid URL")
    if params.flag("drop_pending_updates", False):
        state.updates.clear()
    allowed = params.obj("allowed_updates")
    connections = min(max(params.integer("max_connections") or 40, 1), 100)  # 1-100
    state.webhook = (
        WebhookConfig(url, secret, allowed, connections)
        if url
        else None
    )
    state.wake()
    return True


def delete_webhook(state: EmulatorState, params: Params) -> bool:
    """deleteWebhook."""
    if params.flag("drop_pending_updates", False):
        state.updates.clear()
    state.webhook = None
    state.wake()
    return True


def get_webhook_info(state: EmulatorState, params: Params) -> dict[str, Any]:
    """getWebhookInfo."""
    hook = state.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if hook is not None:
        info |= {"max_connections": hook.max_connections, "ip_address": "127.0.0.1"}
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "sendMessage": messaging.send_message,
    "editMessageText": messaging.edit_message_text,
    "editMessageReplyMarkup": messaging.edit_message_reply_markup,
    "deleteMessage": messaging.delete_message,
    "sendChatAction": messaging.send_chat_action,
    "sendPoll": messaging.send_poll,
    "stopPoll": messaging.stop_poll,
    "answerCallbackQuery": messaging.answer_callback_query,
    "getChat": get_chat,
    "getChatMemberCount": get_chat_member_count,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "leaveChat": leave_chat,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "getFile": files.get_file,
}
"""Handlers by Bot API method name; getUpdates is answered by the server."""

BY_LOWER_NAME: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler) for name, handler in METHODS.items()
}
"""Method names are case-insensitive in the Bot API."""
