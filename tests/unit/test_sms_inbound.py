"""What residents text back (STOP, AIDE, a number) and the webhook's signature check."""

from __future__ import annotations

import pytest

from adapters.sms.keywords import Intent, read
from adapters.sms.residents import e164
from adapters.sms.signature import Verdict, sign, verify

KEY = "signing-key"
BODY = b'{"event":"sms:received","id":"Ey6ECgOkVVFjz3CL48B8C"}'


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop. ", "STOP SMS", "stop  sms!",
                                  "ARRET", "Arrêt", "ARRÊT SMS", "arrêter", "Désabonner",
                                  "UNSUBSCRIBE", "StopSMS"])
def test_stop_in_its_usual_spellings(text: str) -> None:
    assert read(text).intent is Intent.STOP


@pytest.mark.parametrize(("text", "english"), [("AIDE", False), ("aide ?", False),
                                               ("Help", True), ("?", False), ("Info", False)])
def test_help(text: str, english: bool) -> None:
    reading = read(text)
    assert reading.intent is Intent.HELP and reading.english is english


@pytest.mark.parametrize(("text", "english"), [("SIGNALER", False), ("Signalement.", False),
                                               ("signaler !", False), ("Report", True)])
def test_report_asks_for_the_report_page(text: str, english: bool) -> None:
    reading = read(text)
    assert reading.intent is Intent.REPORT and reading.english is english


@pytest.mark.parametrize(("text", "number"), [("1", 1), (" 2 ", 2), ("3.", 3), ("#2", 2),
                                              ("Réponse 2", 2), ("n°4", 4), ("12", 12)])
def test_a_number_is_an_answer(text: str, number: int) -> None:
    assert read(text) == read(text) and read(text).intent is Intent.ANSWER
    assert read(text).number == number


@pytest.mark.parametrize(("text", "intent", "english"), [
    ("DONNEES", Intent.DATA, False), ("Mes données", Intent.DATA, False),
    ("mesdonnees", Intent.DATA, False), ("DATA", Intent.DATA, True),
    ("my data.", Intent.DATA, True), ("OUBLI", Intent.FORGET, False),
    ("Effacer", Intent.FORGET, False), ("oublier !", Intent.FORGET, False),
    ("FORGET", Intent.FORGET, True), ("erase", Intent.FORGET, True)])
def test_data_and_forget_words(text: str, intent: Intent, english: bool) -> None:
    reading = read(text)
    assert (reading.intent, reading.english, reading.code) == (intent, english, None)


@pytest.mark.parametrize(("text", "english"), [
    ("OUBLI 042317", False), ("oui 042317", False), ("Oui042317", False),
    ("FORGET 042317", True), ("yes 042317.", True), ("effacer  042317", False)])
def test_an_erasure_code_confirms(text: str, english: bool) -> None:
    reading = read(text)
    assert (reading.intent, reading.code, reading.english) == (Intent.FORGET, "042317", english)


@pytest.mark.parametrize("text", ["0", "oui", "1 et 2", "merci 042317", "oubli 1234",
                                  "123", "", "stop the music", "Merci beaucoup"])
def test_anything_else(text: str) -> None:
    assert read(text).intent is Intent.OTHER


def test_phone_numbers_become_e164() -> None:
    assert e164("06 12 34 56 78") == "+33612345678"
    assert e164("+33 6 12 34 56 78") == "+33612345678"
    assert e164("0033612345678") == "+33612345678"
    assert e164("0470 12 34 56", "BE") == "+32470123456"
    assert e164("12") is None and e164("not a number") is None


def test_a_good_signature_is_accepted() -> None:
    signature = sign(KEY, BODY, "1700000000")
    assert verify(KEY, BODY, "1700000000", signature, 1700000100, 300) is Verdict.GOOD
    assert verify(KEY, BODY, "1700000000", signature.upper(), 1700000100, 300) is Verdict.GOOD


def test_a_bad_signature_an_altered_body_or_another_key_is_refused() -> None:
    signature = sign(KEY, BODY, "1700000000")
    assert verify(KEY, BODY + b" ", "1700000000", signature, 1700000000, 300) is Verdict.FORGED
    assert verify("other", BODY, "1700000000", signature, 1700000000, 300) is Verdict.FORGED
    assert verify(KEY, BODY, "1700000000", "0" * 64, 1700000000, 300) is Verdict.FORGED
    # The timestamp is signed too: a fresh timestamp on an old signature does not pass.
    assert verify(KEY, BODY, "1700000001", signature, 1700000000, 300) is Verdict.FORGED


def test_a_stale_or_future_timestamp_is_refused_even_well_signed() -> None:
    old = sign(KEY, BODY, "1700000000")
    assert verify(KEY, BODY, "1700000000", old, 1700000000 + 301, 300) is Verdict.STALE
    assert verify(KEY, BODY, "1700000000", old, 1700000000 - 301, 300) is Verdict.STALE
    assert verify(KEY, BODY, "soon", old, 1700000000, 300) is Verdict.STALE


def test_missing_headers() -> None:
    assert verify(KEY, BODY, None, "ab", 0, 300) is Verdict.MISSING
    assert verify(KEY, BODY, "1", None, 0, 300) is Verdict.MISSING
