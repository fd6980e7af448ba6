"""Neutral messages as Telegram HTML and inline keyboards.

Every text a facilitator or resident wrote is escaped, so ``<``, ``&`` and ``*`` never cause
a "can't parse entities" Bad Request; only our own ``<b>`` heading is markup.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from animabot.chat.outgoing import OutgoingMessage

MAX_TEXT = 4096
MAX_BUTTON_LABEL = 64


def html_text(message: OutgoingMessage) -> str:
    body = escape(message.text, quote=False)
    text = f"<b>{escape(message.title, quote=False)}</b>\n{body}" if message.title else body
    if len(text) > MAX_TEXT:  # Telegram refuses longer messages: cut on a visible mark
        text = text[: MAX_TEXT - 1] + "…"
    return text


def keyboard(message: OutgoingMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label[:MAX_BUTTON_LABEL], callback_data=b.action) for b in row]
            for row in message.buttons
        ]
    )
