"""Neutral messages as Matrix events.

- plain text: ``m.room.message`` with ``body`` and an escaped ``formatted_body``;
- a question (poll, quiz): ``org.matrix.msc3381.poll.start`` as Element renders it, whose
  answer ids are the core's signed actions, with the numbered text fallback;
- other buttons: a numbered list in the text; the resident answers with the number;
- an edit: ``m.replace``; closing a poll: ``org.matrix.msc3381.poll.end``.
In a group room a private poll is only announced: its votes would be visible to the room,
so residents answer in their direct room with the bot.
"""

from __future__ import annotations

from html import escape
from typing import Any

from animabot.chat.outgoing import OutgoingMessage

POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"
POLL_RESPONSES = ("org.matrix.msc3381.poll.response", "m.poll.response")
TEXT = "org.matrix.msc1767.text"


def _labels(message: OutgoingMessage) -> list[str]:
    return [button.label for row in message.buttons for button in row]


def _html(message: OutgoingMessage, extra: list[str]) -> tuple[str, str]:
    lines = message.text.split("\n") + extra
    body = "\n".join(([message.title] if message.title else []) + lines)
    html_lines = [escape(line, quote=False) for line in lines]
    heading = f"<strong>{escape(message.title, quote=False)}</strong><br>" if message.title else ""
    return body, heading + "<br>".join(html_lines)


def text_content(message: OutgoingMessage, extra: list[str] | None = None) -> dict[str, Any]:
    body, formatted = _html(message, extra or [])
    return {"msgtype": "m.notice", "body": body, "format": "org.matrix.custom.html",
            "formatted_body": formatted}


def numbered(message: OutgoingMessage) -> list[str]:
    labels = [button.unnumbered for row in message.buttons for button in row]
    if not labels:
        return []
    return ["", *[f"{index}. {label}" for index, label in enumerate(labels, start=1)],
            "(répondez par le numéro · reply with the number)"]


def poll_start(message: OutgoingMessage, disclosed: bool = True) -> dict[str, Any]:
    """An MSC3381 poll; ``answers[i].id`` is the action of button ``i``."""
    buttons = [button for row in message.buttons for button in row]
    question = message.native_poll.question if message.native_poll else message.text
    labels = list(message.native_poll.options) if message.native_poll else [
        b.label.split(". ", 1)[-1] for b in buttons]
    multiple = bool(message.native_poll and message.native_poll.multiple)
    fallback = "\n".join([question, *[f"{i}. {label}" for i, label in enumerate(labels, 1)]])
    return {
        POLL_START: {
            "question": {TEXT: question, "body": question},
            "kind": "org.matrix.msc3381.poll.disclosed" if disclosed
            else "org.matrix.msc3381.poll.undisclosed",
            "max_selections": len(labels) if multiple else 1,
            "answers": [{"id": button.action, TEXT: label}
                        for button, label in zip(buttons, labels, strict=False)],
        },
        TEXT: fallback,
        "body": fallback,
    }


def poll_end(text: str, poll_event_id: str) -> dict[str, Any]:
    return {
        "m.relates_to": {"rel_type": "m.reference", "event_id": poll_event_id},
        POLL_END: {},
        TEXT: text,
        "body": text,
    }


def replacement(content: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {
        **content,
        "body": f"* {content['body']}",
        "m.new_content": content,
        "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
    }


def render(
    message: OutgoingMessage, *, direct: bool, bot_user_id: str
) -> tuple[str, dict[str, Any], list[str]]:
    """(event type, content, actions a numbered reply maps to) for one message."""
    actions = [button.action for row in message.buttons for button in row]
    if message.stop_poll and message.edit_ref:
        return POLL_END, poll_end(message.text, message.edit_ref), []
    if message.edit_ref:
        content = replacement(text_content(message), message.edit_ref)
        return "m.room.message", content, []
    asks = message.question and (direct or message.native_poll is not None)
    if asks and message.buttons:
        hidden = message.native_poll is not None and message.native_poll.hide_results
        return POLL_START, poll_start(message, disclosed=not hidden), actions
    if message.buttons and not direct:  # a private poll or a training in a group room
        hint = [f"→ {label}" for label in _labels(message)] if message.question else []
        hint.append(f"Pour répondre en privé, écrivez à {bot_user_id} (message direct) : !start"
                    f" · To answer privately, message {bot_user_id}: !start")
        return "m.room.message", text_content(message, hint), []
    return "m.room.message", text_content(message, numbered(message)), actions
