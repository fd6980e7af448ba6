"""Bot API methods that post and edit messages: text, inline keyboards, polls, callbacks."""

from __future__ import annotations

from typing import Any

from .access import check_can_write, current_message, new_message, own_message, resolve_chat
from .html import parse_html, utf16_len
from .params import Params, bad_request
from .shapes import poll_json
from .state import CallbackAnswer, EmulatorState, PollRecord

_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def render(raw: str, parse_mode: str | None, params: Params) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of a text as sent with `parse_mode`."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(raw)
    if mode in ("", "markdown", "markdownv2"):
        return raw, list(params.obj("entities") or [])
    raise bad_request(f"unsupported parse_mode {parse_mode}")


def reply_markup(params: Params) -> dict[str, Any] | None:
    """The markup as sent, after the Bot API's checks of inline keyboards."""
    markup = params.obj("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" '
            "must be an Array of Arrays"
        )
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("can't parse inline keyboard button: Text must be non-empty")
        if not any(action in button for action in _BUTTON_ACTIONS):
            raise bad_request(
                "can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def _with_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
    """Messages only carry inline keyboards back; other markups act on the client."""
    message = dict(message)
    if markup is not None and "inline_keyboard" in markup:
        message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
    else:
        message.pop("reply_markup", None)
    return message


def send_message(state: EmulatorState, params: Params) -> dict[str, Any]:
    """sendMessage."""
    chat_id = resolve_chat(state, params)
    check_can_write(state, chat_id)
    raw = params.text("text") or ""
    parse_mode = params.text("parse_mode")
    text, entities = render(raw, parse_mode, params)
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > 4096:
        raise bad_request("message is too long")
    markup = reply_markup(params)
    message = new_message(state, chat_id) | {"text": text}
    if entities:
        message["entities"] = entities
    message = _with_markup(message, markup)
    state.record_sent(message, "sendMessage", raw_text=raw, parse_mode=parse_mode, markup=markup)
    return message


def edit_message_text(state: EmulatorState, params: Params) -> dict[str, Any]:
    """editMessageText; leaving out reply_markup removes the inline keyboard, as Telegram."""
    chat_id, message_id = _edited_message_ids(state, params)
    old = own_message(state, chat_id, message_id, "message to edit not found")
    if "text" not in old:
        raise bad_request("there is no text in the message to edit")
    raw = params.text("text") or ""
    parse_mode = params.text("parse_mode")
    text, entities = render(raw, parse_mode, params)
    if not text.strip():
        raise bad_request("message text is empty")
    markup = reply_markup(params)
    new = _with_markup(old | {"text": text, "entities": entities}, markup)
    if not entities:
        new.pop("entities")
    return _commit_edit(state, old, new, "editMessageText", raw, parse_mode, markup)


def edit_message_reply_markup(state: EmulatorState, params: Params) -> dict[str, Any]:
    """editMessageReplyMarkup."""
    chat_id, message_id = _edited_message_ids(state, params)
    old = own_message(state, chat_id, message_id, "message to edit not found")
    markup = reply_markup(params)
    new = _with_markup(old, markup)
    return _commit_edit(state, old, new, "editMessageReplyMarkup", None, None, markup)


def _edited_message_ids(state: EmulatorState, params: Params) -> tuple[int, int]:
    if params.has("inline_message_id"):
        raise bad_request("inline messages are not emulated")
    chat_id = resolve_chat(state, params)
    check_can_write(state, chat_id)
    message_id = params.integer("message_id", required=True)
    assert message_id is not None
    return chat_id, message_id


def _commit_edit(
    state: EmulatorState,
    old: dict[str, Any],
    new: dict[str, Any],
    method: str,
    raw: str | None,
    parse_mode: str | None,
    markup: dict[str, Any] | None,
) -> dict[str, Any]:
    keys = ("text", "entities", "reply_markup")
    if all(old.get(key) == new.get(key) for key in keys):
        raise bad_request(_NOT_MODIFIED)
    new["edit_date"] = state.timestamp()
    state.record_sent(
        new,
        method,
        raw_text=raw if raw is not None else new.get("text"),
        parse_mode=parse_mode,
        markup=markup,
        edited=True,
    )
    return new


def send_poll(state: EmulatorState, params: Params) -> dict[str, Any]:
    """sendPoll, with the Bot API's limits on question, options, explanation and period."""
    chat_id = resolve_chat(state, params)
    check_can_write(state, chat_id)
    question = params.text("question") or ""
    if not question.strip():
        raise bad_request("poll question must be non-empty")
    if len(question) > 300:
        raise bad_request("poll question length must not exceed 300")
    options = _poll_options(params.obj("options"))
    kind = params.text("type") or "regular"
    if kind not in ("regular", "quiz"):
        raise bad_request("poll type is invalid")
    correct = _correct_options(params, kind, len(options))
    explanation = params.text("explanation")
    if explanation is not None and len(explanation) > 200:
        raise bad_request("explanation is too long")
    open_period = params.integer("open_period")
    if open_period is not None and not 5 <= open_period <= 600:
        raise bad_request("open_period must be between 5 and 600 seconds")
    close_date = params.integer("close_date")
    if open_period is not None:
        close_date = state.timestamp() + open_period
    message = new_message(state, chat_id)
    poll = PollRecord(
        id=state.unique("5"),
        chat_id=chat_id,
        message_id=message["message_id"],
        question=question,
        options=options,
        is_anonymous=params.flag("is_anonymous", True),
        type=kind,
        allows_multiple_answers=params.flag("allows_multiple_answers", False),
        allows_revoting=params.flag("allows_revoting", kind == "regular"),
        members_only=params.flag("members_only", False),
        correct_option_ids=correct,
        explanation=explanation,
        open_period=open_period,
        close_date=close_date,
        is_closed=params.flag("is_closed", False),
        hide_results_until_closes=params.flag("hide_results_until_closes", False),
    )
    state.polls[poll.id] = poll
    markup = reply_markup(params)
    message = _with_markup(message | {"poll": poll_json(poll)}, markup)
    state.record_sent(message, "sendPoll", markup=markup)
    return message


def _poll_options(raw: object) -> list[str]:
    if not isinstance(raw, list):
        raise bad_request("poll options must be an Array")
    texts = [item.get("text") if isinstance(item, dict) else item for item in raw]
    if len(texts) < 2:
        raise bad_request("poll must have at least 2 option")
    if len(texts) > 12:
        raise bad_request("poll can't have more than 12 options")
    for text in texts:
        if not isinstance(text, str) or not text.strip():
            raise bad_request("poll options must be non-empty")
        if len(text) > 100:
            raise bad_request("poll options length must not exceed 100")
    return [str(text) for text in texts]


def _correct_options(params: Params, kind: str, count: int) -> list[int]:
    ids = params.obj("correct_option_ids")
    if ids is None and params.has("correct_option_id"):
        ids = [params.integer("correct_option_id")]
    if kind != "quiz":
        return []
    if not isinstance(ids, list) or not ids:
        raise bad_request("quiz poll must have a correct option")
    if not all(isinstance(i, int) and 0 <= i < count for i in ids):
        raise bad_request("wrong correct option ID specified")
    return list(ids)


def stop_poll(state: EmulatorState, params: Params) -> dict[str, Any]:
    """stopPoll: returns the closed Poll and tells the bot with a `poll` update."""
    chat_id = resolve_chat(state, params)
    check_can_write(state, chat_id)
    message_id = params.integer("message_id", required=True)
    assert message_id is not None
    message = current_message(state, chat_id, message_id)
    if message is None or "poll" not in message:
        raise bad_request("message with poll to stop not found")
    poll = state.polls[message["poll"]["id"]]
    if poll.is_closed:
        raise bad_request("poll has already been closed")
    poll.is_closed = True
    markup = reply_markup(params)
    closed = _with_markup(message | {"poll": poll_json(poll)}, markup)
    state.record_sent(closed, "stopPoll", markup=markup, edited=True)
    state.push_update("poll", poll_json(poll))
    return poll_json(poll)


def answer_callback_query(state: EmulatorState, params: Params) -> bool:
    """answerCallbackQuery: each query can be answered once."""
    query_id = params.text("callback_query_id", required=True)
    assert query_id is not None
    if query_id not in state.open_callbacks:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    state.open_callbacks.discard(query_id)
    state.callback_answers[query_id] = CallbackAnswer(
        callback_query_id=query_id,
        text=text,
        show_alert=params.flag("show_alert", False),
        url=params.text("url"),
        cache_time=params.integer("cache_time"),
    )
    return True


def delete_message(state: EmulatorState, params: Params) -> bool:
    """deleteMessage."""
    chat_id = resolve_chat(state, params)
    message_id = params.integer("message_id", required=True)
    if state.messages.pop((chat_id, message_id or 0), None) is None:
        raise bad_request("message to delete not found")
    return True


def send_chat_action(state: EmulatorState, params: Params) -> bool:
    """sendChatAction: only the access checks."""
    check_can_write(state, resolve_chat(state, params))
    return True
