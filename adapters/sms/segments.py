"""What an SMS carries: GSM-7 or UCS-2, how many segments a text takes, and cutting to fit.

Pure (standard library only): ``scenario preview`` counts with it on machines without the
gateway's client, and the emulator in the tests counts the same way as the sender.

A text is sent in GSM-7 (3GPP TS 23.038: the basic table, plus the extension table whose
characters take two septets, an escape and the character) when every character is in those
tables, and in UCS-2 otherwise: a single ``œ``, ``ê`` or emoji switches the whole message.
One SMS holds 160 septets or 70 UTF-16 units; a longer text is split into segments of 153 or
67, because each carries a 6-byte header that reassembles them. An extension character (two
septets) or a surrogate pair (two units) is never split across segments, so the count walks
the text rather than dividing its length.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE_GSM7, PART_GSM7 = 160, 153  # septets
SINGLE_UCS2, PART_UCS2 = 70, 67  # UTF-16 code units
DEFAULT_MAX_SEGMENTS = 3  # 459 GSM-7 characters, 201 in UCS-2: a poll with its options fits

# Punctuation French typesetting uses that has a GSM-7 look-alike: replaced before counting,
# since one typographic apostrophe would otherwise make the whole text UCS-2 (70 a segment).
PUNCTUATION = str.maketrans({
    "’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-",
    "…": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2011": "-", "•": "-",
    "·": "-", "\t": " ",
})
# Letters French uses outside GSM-7, with their plain form: used only when the operator
# asks for it (``[sms] accents = "simplify"``), since it changes the spelling.
ACCENTS = str.maketrans({
    "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "ë": "e", "ï": "i", "ÿ": "y",
    "ç": "c", "Ç": "C", "œ": "oe", "Œ": "OE", "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E",
    "Î": "I", "Ï": "I", "Ô": "O", "Ù": "U", "Û": "U", "Ÿ": "Y", "á": "a", "í": "i",
    "ó": "o", "ú": "u",
})


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class SmsCount:
    """How a text travels: its encoding, its length in septets or units, its segments."""

    encoding: Encoding
    units: int
    segments: int


def encoding_of(text: str) -> Encoding:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return Encoding.GSM7
    return Encoding.UCS2


def _cost(ch: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def count(text: str) -> SmsCount:
    """The encoding, length and number of segments of ``text`` as a phone would send it."""
    encoding = encoding_of(text)
    single, part = (SINGLE_GSM7, PART_GSM7) if encoding is Encoding.GSM7 else (
        SINGLE_UCS2, PART_UCS2)
    costs = [_cost(ch, encoding) for ch in text]
    units = sum(costs)
    if units <= single:
        return SmsCount(encoding, units, 1)
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return SmsCount(encoding, units, segments)


def segments(text: str) -> int:
    return count(text).segments


def plain(text: str, *, simplify_accents: bool = False) -> str:
    """``text`` with typographic punctuation in its GSM-7 form (and accents outside GSM-7
    simplified when asked), so that it travels 160 characters a segment where it can."""
    text = text.translate(PUNCTUATION)
    return text.translate(ACCENTS) if simplify_accents else text


def _boundaries(text: str) -> list[int]:
    """Offsets where ``text`` may be cut without splitting a character as seen: never
    before a combining mark, a variation selector, a skin tone or after a zero-width joiner."""
    cuts = [0]
    for index in range(1, len(text) + 1):
        if index < len(text):
            ch, before = text[index], text[index - 1]
            if (unicodedata.combining(ch) or "\ufe00" <= ch <= "\ufe0f" or ch == "\u200d"
                    or before == "\u200d" or "\U0001f3fb" <= ch <= "\U0001f3ff"):
                continue
        cuts.append(index)
    return cuts


def _ellipsis(text: str) -> str:
    return "..." if encoding_of(text) is Encoding.GSM7 else "…"


def fit(head: str, tail: str = "", max_segments: int = DEFAULT_MAX_SEGMENTS) -> str:
    """``head`` + ``tail`` in at most ``max_segments``: ``head`` (the text) is cut at a word
    where it can, at a character otherwise, and marked with an ellipsis; ``tail`` (a poll's
    options and how to answer) is kept whole, since a poll without them cannot be answered.
    The ellipsis is ``...`` in a GSM-7 text (``…`` alone would make it UCS-2)."""
    if max_segments < 1:
        raise ValueError("an SMS has at least one segment")
    if segments(head + tail) <= max_segments:
        return head + tail

    def candidate(cut: int) -> str:
        kept = head[:cut].rstrip()
        return kept + _ellipsis(kept + tail) + tail

    cuts = _boundaries(head)
    low, high = 0, len(cuts) - 1  # the longest cut that fits: fitting is monotonic in the cut
    while low < high:
        middle = (low + high + 1) // 2
        if segments(candidate(cuts[middle])) <= max_segments:
            low = middle
        else:
            high = middle - 1
    best = cuts[low]
    word = head.rfind(" ", 0, best + 1)
    if word > 0 and best - word < 40 and not head[best:best + 1].isspace():
        best = word  # end on a whole word unless that throws away a long one
    result = candidate(best)
    if segments(result) > max_segments:  # the tail alone does not fit: cut everything
        return fit(head + tail, "", max_segments)
    return result
