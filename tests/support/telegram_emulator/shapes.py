"""JSON shapes of Bot API 10.0 objects, with every field PTB 22.8 requires."""

from __future__ import annotations

from typing import Any

from .state import EmulatorState, PollRecord, UserRecord

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)


def user_json(user: UserRecord) -> dict[str, Any]:
    """A human `User`."""
    data: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
    if user.last_name:
        data["last_name"] = user.last_name
    if user.username:
        data["username"] = user.username
    if user.language_code:
        data["language_code"] = user.language_code
    return data


def bot_json(state: EmulatorState, *, full: bool = False) -> dict[str, Any]:
    """The bot's `User`; `full` adds the getMe-only capability flags."""
    data: dict[str, Any] = {
        "id": state.bot_id,
        "is_bot": True,
        "first_name": state.bot_first_name,
        "username": state.bot_username,
    }
    if full:
        data |= {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
    return data


def chat_json(state: EmulatorState, chat_id: int) -> dict[str, Any]:
    """A `Chat`: a group, or a user's private chat with the bot."""
    chat = state.chats.get(chat_id)
    if chat is not None:
        return {"id": chat.id, "type": chat.type, "title": chat.title}
    user = state.users[chat_id]
    data: dict[str, Any] = {"id": user.id, "type": "private", "first_name": user.first_name}
    if user.last_name:
        data["last_name"] = user.last_name
    if user.username:
        data["username"] = user.username
    return data


def chat_full_info_json(state: EmulatorState, chat_id: int) -> dict[str, Any]:
    """A `ChatFullInfo` (getChat): PTB requires the colour, reaction and gift fields."""
    return chat_json(state, chat_id) | {
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def member_json(status: str, user: dict[str, Any]) -> dict[str, Any]:
    """A `ChatMember` of any status, with the fields PTB requires for that status."""
    data: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data |= {"can_be_edited": False, "is_anonymous": False}
        data |= dict.fromkeys(_ADMIN_RIGHTS, True)
    elif status == "kicked":
        data["until_date"] = 0
    return data


def group_member_status(state: EmulatorState, chat_id: int, user_id: int) -> str:
    """A user's status in a group: the first admin owns it."""
    chat = state.chats[chat_id]
    if user_id == state.bot_id:
        return chat.bot_status
    if chat.admins and chat.admins[0] == user_id:
        return "creator"
    if user_id in chat.admins:
        return "administrator"
    return "member" if user_id in chat.members else "left"


def poll_json(poll: PollRecord) -> dict[str, Any]:
    """A `Poll` with the current counts; option `persistent_id`s are their indexes."""
    counts = [0] * len(poll.options)
    for chosen in poll.votes.values():
        for index in chosen:
            counts[index] += 1
    data: dict[str, Any] = {
        "id": poll.id,
        "question": poll.question,
        "options": [
            {"text": text, "voter_count": counts[i], "persistent_id": str(i)}
            for i, text in enumerate(poll.options)
        ],
        "total_voter_count": sum(1 for chosen in poll.votes.values() if chosen),
        "is_closed": poll.is_closed,
        "is_anonymous": poll.is_anonymous,
        "type": poll.type,
        "allows_multiple_answers": poll.allows_multiple_answers,
        "allows_revoting": poll.allows_revoting,
        "members_only": poll.members_only,
    }
    if poll.type == "quiz":
        data["correct_option_ids"] = list(poll.correct_option_ids)
    if poll.explanation:
        data["explanation"] = poll.explanation
    if poll.open_period is not None:
        data["open_period"] = poll.open_period
    if poll.close_date is not None:
        data["close_date"] = poll.close_date
    return data


def chat_member_updated_json(
    state: EmulatorState, chat_id: int, actor: dict[str, Any], old: str, new: str
) -> dict[str, Any]:
    """A `my_chat_member` payload: `actor` changed the bot's status from `old` to `new`."""
    bot = bot_json(state)
    return {
        "chat": chat_json(state, chat_id),
        "from": actor,
        "date": state.timestamp(),
        "old_chat_member": member_json(old, bot),
        "new_chat_member": member_json(new, bot),
    }
