"""Long texts are cut before escaping, on a character, and stay valid Telegram HTML."""

from __future__ import annotations

import unicodedata

from adapters.telegram.rendering import MAX_TEXT, html_text, shorten
from animabot.chat.outgoing import OutgoingMessage
from tests.support.telegram_emulator.html import parse_html, utf16_len


def test_a_long_text_of_ampersands_is_cut_as_text_then_escaped() -> None:
    html = html_text(OutgoingMessage("&" * 10_000, title="Sondage <b>"))
    text, _ = parse_html(html)  # raises on an entity cut in half
    assert utf16_len(text) <= MAX_TEXT
    assert text.startswith("Sondage <b>\n&&&") and text.endswith("&…")


def test_cuts_never_split_a_surrogate_pair_or_an_accent_sequence() -> None:
    emoji = shorten("😀" * 5000, MAX_TEXT)
    assert utf16_len(emoji) <= MAX_TEXT and emoji.endswith("😀…")
    decomposed = unicodedata.normalize("NFD", "é") * 5000  # e + combining acute
    cut = shorten(decomposed, 101)
    assert cut.endswith("\u0301…") and utf16_len(cut) <= 101
    family = "👩\u200d👩\u200d👧" * 2000
    cut = shorten(family, 100)
    assert not cut[:-1].endswith("\u200d") and cut[:-1].endswith("👧")


def test_short_texts_are_unchanged() -> None:
    assert html_text(OutgoingMessage("a < b & c")) == "a &lt; b &amp; c"
    assert shorten("x" * MAX_TEXT, MAX_TEXT) == "x" * MAX_TEXT


def test_a_press_is_read_from_the_webhook_s_json_without_the_message_pressed() -> None:
    from adapters.telegram.updates import PressUpdate, ordering_key

    pressed = {"message_id": 5, "date": 1, "chat": {"id": -1, "type": "group", "title": "G"},
               "text": "Un jardin ?", "reply_markup": {"inline_keyboard": [[{"text": "Oui"}]]}}
    user = {"id": 7, "is_bot": False, "first_name": "Ana", "language_code": "fr"}
    update = {"update_id": 1, "callback_query": {"id": "q", "from": user, "data": "x",
                                                 "chat_instance": "i", "message": pressed}}
    press = PressUpdate.from_json(update, None)
    assert press is not None
    assert (press.update_id, press.query_id, press.message_id, press.data) == (1, "q", 5, "x")
    assert press.user.id == 7 and press.chat is not None and press.chat.id == -1
    assert ordering_key(press) == ("user", 7)
    old = PressUpdate.from_json({"update_id": 2, "callback_query": {
        "id": "r", "from": user, "data": "x", "chat_instance": "i",
        "message": {"message_id": 5, "date": 0, "chat": pressed["chat"]}}}, None)
    assert old is not None and old.chat is None  # an inaccessible message: not ours
    assert PressUpdate.from_json({"update_id": 3, "message": dict(pressed)}, None) is None
