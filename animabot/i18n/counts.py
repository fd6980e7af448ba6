"""Counted nouns in the reader's language: "1 discussion", "2 discussions".

The catalogs hold plain ids, so each form is its own ``_()`` call and the code picks the form
by the language's plural rule (CLDR): French puts 0 and 1 in the singular, English only 1.
A counted phrase is translated whole, so that adjectives agree ("1 envoi programmé").
"""

from __future__ import annotations

from . import translator


def needs_plural(language: str, count: int) -> bool:
    return count > 1 if language == "fr" else count != 1


def chats(language: str, count: int) -> str:
    _ = translator(language)
    form = _("{n} chats") if needs_plural(language, count) else _("{n} chat")
    return form.format(n=count)


def planned_deliveries(language: str, count: int) -> str:
    _ = translator(language)
    form = (_("{n} deliveries planned") if needs_plural(language, count)
            else _("{n} delivery planned"))
    return form.format(n=count)


def steps(language: str, count: int) -> str:
    _ = translator(language)
    form = _("{n} steps") if needs_plural(language, count) else _("{n} step")
    return form.format(n=count)


def messages(language: str, count: int) -> str:
    _ = translator(language)
    form = _("{n} messages") if needs_plural(language, count) else _("{n} message")
    return form.format(n=count)


def members(language: str, count: int) -> str:
    _ = translator(language)
    form = _("{n} members") if needs_plural(language, count) else _("{n} member")
    return form.format(n=count)
