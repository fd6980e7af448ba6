"""SMS segments: GSM-7 or UCS-2, 160/153 and 70/67, and cutting a text to what SMS carries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.sms.segments import Encoding, count, encoding_of, fit, plain, segments


@pytest.mark.parametrize(("text", "encoding", "units", "parts"), [
    ("", Encoding.GSM7, 0, 1),
    ("a" * 160, Encoding.GSM7, 160, 1),
    ("a" * 161, Encoding.GSM7, 161, 2),
    ("a" * 306, Encoding.GSM7, 306, 2),
    ("a" * 307, Encoding.GSM7, 307, 3),
    ("€" * 80, Encoding.GSM7, 160, 1),  # the extension table takes two septets
    ("€" * 81, Encoding.GSM7, 162, 2),
    ("œ" * 70, Encoding.UCS2, 70, 1),
    ("œ" * 71, Encoding.UCS2, 71, 2),
    ("œ" * 134, Encoding.UCS2, 134, 2),
    ("œ" * 135, Encoding.UCS2, 135, 3),
    ("😀" * 35, Encoding.UCS2, 70, 1),  # outside the BMP: a surrogate pair, two units
])
def test_counts(text: str, encoding: Encoding, units: int, parts: int) -> None:
    counted = count(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, parts)


def test_french_accents_some_are_gsm7_some_are_not() -> None:
    assert encoding_of("Réunion à l'école: déjà là, où ? Ça, c'est ici ! é è ù à É") \
        is Encoding.GSM7
    for letter in "œêâîôûçëï":
        assert encoding_of(f"Une fête {letter}") is Encoding.UCS2, letter
    assert segments("é" * 160) == 1
    assert segments("œ" + "e" * 100) == 2  # one œ: the whole text is UCS-2, 70 a segment


def test_an_extension_character_is_never_split_across_segments() -> None:
    # 152 plain septets then "€" (2): 154 > 153, so "€" opens the second segment whole.
    assert segments("a" * 152 + "€" + "a" * 8) == 2
    assert segments("a" * 152 + "€" + "a" * 152) == 3  # 154 + 152 septets, split as 152|155


def test_a_surrogate_pair_is_never_split() -> None:
    assert segments("a" * 66 + "😀" + "a" * 66) == 3  # 66 | 2+65 | 1


def test_plain_punctuation_and_optional_accents() -> None:
    assert plain("L’école « ouverte » – oui…") == "L'école \" ouverte \" - oui..."
    assert encoding_of(plain("L’école ouverte")) is Encoding.GSM7
    assert plain("Fête de l’œuvre", simplify_accents=True) == "Fete de l'oeuvre"
    assert plain("Fête") == "Fête"  # spelling is kept unless asked


def test_fit_keeps_a_short_text_and_the_tail() -> None:
    assert fit("Bonjour", "\n1. Oui\n2. Non", 1) == "Bonjour\n1. Oui\n2. Non"


def test_fit_cuts_at_a_word_with_an_ellipsis_and_keeps_the_tail_whole() -> None:
    words = "Le conseil de quartier se réunit samedi à la salle des fêtes "
    head = words * 10
    tail = "\n1. Oui\n2. Non\nRépondez 1 ou 2."
    cut = fit(head, tail, 2)
    assert segments(cut) <= 2
    assert cut.endswith(tail)
    kept = cut[: -len(tail)]
    assert kept.endswith("…")  # "fêtes" makes the text UCS-2, so the ellipsis costs nothing
    assert head.startswith(kept[:-1])
    assert head[len(kept) - 1] == " "  # cut between two words


def test_fit_in_gsm7_uses_three_dots_not_the_ucs2_ellipsis() -> None:
    cut = fit("mot " * 100, "", 1)
    assert cut.endswith("...") and "…" not in cut
    assert count(cut).encoding is Encoding.GSM7 and count(cut).segments == 1


def test_fit_never_splits_a_combined_character() -> None:
    head = "e\u0301" * 200  # é written as e + combining acute
    cut = fit(head, "", 1)
    assert not cut.rstrip("…").endswith("e")
    assert segments(cut) == 1


@given(st.text(max_size=700), st.text(max_size=60), st.integers(min_value=1, max_value=4))
def test_fit_always_fits(head: str, tail: str, limit: int) -> None:
    assert segments(fit(head, tail, limit)) <= limit
