"""Neutral messages as Telegram HTML and inline keyboards.

Every text a facilitator or resident wrote is escaped, so ``<``, ``&`` and ``*`` never cause
a "can't parse entities" Bad Request; only our own ``<b>`` heading is markup.
"""

from __future__ import annotations

import unicodedata
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from animabot.chat.outgoing import OutgoingMessage

MAX_TEXT = 4096  # UTF-16 code units of the text *after* entity parsing
MAX_BUTTON_LABEL = 64
ELLIPSIS = "…"
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}  # zero-width joiner, variation selectors


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _clings(char: str) -> bool:
    """A character that belongs to the one before it (accents, joiners, skin tones)."""
    return (unicodedata.combining(char) > 0 or char in _JOINERS
            or "\U0001f3fb" <= char <= "\U0001f3ff")


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits ``limit`` UTF-16 units, else cut on a character (never inside a
    surrogate pair nor an accent's sequence) and ended with an ellipsis."""
    if utf16_len(text) <= limit:
        return text
    budget, cut = limit - utf16_len(ELLIPSIS), 0
    for char in text:
        budget -= utf16_len(char)
        if budget < 0:
            break
        cut += 1
    while cut > 0 and (_clings(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    return text[:cut] + ELLIPSIS


def html_text(message: OutgoingMessage) -> str:
    """Cut the plain text to Telegram's limit first, then escape: the limit counts the text
    as shown, and cutting escaped text could split an ``&amp;``."""
    title = shorten(message.title, MAX_TEXT // 2) if message.title else ""
    room = MAX_TEXT - (utf16_len(title) + 1 if title else 0)
    body = escape(shorten(message.text, room), quote=False)
    return f"<b>{escape(title, quote=False)}</b>\n{body}" if title else body


def keyboard(message: OutgoingMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label[:MAX_BUTTON_LABEL], callback_data=b.action) for b in row]
            for row in message.buttons
        ]
    )
