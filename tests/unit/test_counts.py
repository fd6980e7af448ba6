"""Counted nouns agree with their number: "sur 1 discussion", never "1 discussions"."""

from __future__ import annotations

import pytest

from animabot.i18n import counts


@pytest.mark.parametrize(("language", "count", "expected"), [
    ("fr", 0, "0 discussion"), ("fr", 1, "1 discussion"), ("fr", 2, "2 discussions"),
    ("en", 0, "0 chats"), ("en", 1, "1 chat"), ("en", 2, "2 chats"),
])
def test_chats_follow_each_language_s_plural_rule(language: str, count: int, expected: str) -> None:
    assert counts.chats(language, count) == expected


def test_a_counted_phrase_agrees_as_a_whole() -> None:
    assert counts.planned_deliveries("fr", 1) == "1 envoi programmé"
    assert counts.planned_deliveries("fr", 9) == "9 envois programmés"
    assert counts.members("fr", 1) == "1 membre" and counts.messages("en", 1) == "1 message"
