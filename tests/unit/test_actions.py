"""Signed button actions and pseudonyms."""

from __future__ import annotations

from animabot.campaigns import actions
from animabot.privacy.pseudonyms import ActionSigner, Pseudonymizer


def test_signed_actions_round_trip_and_fit_telegram_callback_data() -> None:
    signer = ActionSigner(b"k" * 32)
    token = signer.sign(actions.quiz(123456789, 2, 11).encode())
    assert len(token.encode()) <= 64
    assert signer.verify(token) == "q.123456789.2.11"


def test_a_token_signed_with_another_key_or_altered_is_refused() -> None:
    token = ActionSigner(b"a" * 32).sign("v.1.0")
    assert ActionSigner(b"b" * 32).verify(token) is None
    assert ActionSigner(b"a" * 32).verify(token.replace("v.1.0", "v.1.1")) is None


def test_malformed_actions_are_not_decoded() -> None:
    assert actions.decode("v.1") is None
    assert actions.decode("v.x.1") is None
    assert actions.decode("z.1") is None
    assert actions.decode("v.4.2") == actions.vote(4, 2)


def test_pseudonyms_are_stable_keyed_and_per_platform() -> None:
    one, other = Pseudonymizer(b"x" * 32), Pseudonymizer(b"y" * 32)
    assert one("telegram", "42") == one("telegram", "42")
    assert one("telegram", "42") != other("telegram", "42")
    assert one("telegram", "42") != one("matrix", "42")
    assert "42" not in one("telegram", "42")


def test_non_ascii_oversized_or_empty_tokens_are_refused_quietly() -> None:
    signer = ActionSigner(b"k" * 32)
    token = signer.sign("v.1.0")
    action, _, signature = token.rpartition("~")
    for bad in (f"{action}~é{signature[1:]}", f"{action}~{signature}é", "~", "", "é~é",
                token + "x" * 100, "v.1.0~" + "\U0001f600" * 10, "\x00" * 64):
        assert signer.verify(bad) is None, bad


def test_digits_that_are_not_ascii_or_too_long_are_not_decoded() -> None:
    assert actions.decode("v.².1") is None
    assert actions.decode("v.١.1") is None  # an Arabic-Indic one
    assert actions.decode("i.³.a") is None
    assert actions.decode("v." + "9" * 30 + ".1") is None
