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


def test_a_press_s_message_is_slimmed_to_what_is_read_before_parsing() -> None:
    from adapters.telegram.webhook import slim

    pressed = {"message_id": 5, "date": 1, "chat": {"id": -1, "type": "group"},
               "text": "Un jardin ?", "reply_markup": {"inline_keyboard": [[{"text": "Oui"}]]}}
    update = {"update_id": 1, "callback_query": {"id": "q", "data": "x", "message": pressed}}
    assert slim(update)["callback_query"]["message"] == {
        "message_id": 5, "date": 1, "chat": {"id": -1, "type": "group"}}
    other = {"update_id": 2, "message": dict(pressed)}
    assert slim(other) == other  # only a press's message is slimmed
