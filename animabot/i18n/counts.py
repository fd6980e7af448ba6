"""Counted nouns in the reader's language: "1 discussion", "2 discussions".

The catalogs hold plain ids, so each form is its own ``_()`` call (the extractor finds them
by that name) and the code picks the form by the language's plural rule (CLDR): French puts
0 and 1 in the singular, English only 1. A counted phrase is translated whole, so that
adjectives agree ("1 envoi programmé").
"""

from __future__ import annotations

from collections.abc import Callable

from . import Translate, translator

Forms = Callable[[Translate], tuple[str, str]]  # (singular, plural), each through ``_``


def needs_plural(language: str, count: int) -> bool:
    return count > 1 if language == "fr" else count != 1


def _counted(language: str, count: int, forms: Forms) -> str:
    one, many = forms(translator(language))
    return (many if needs_plural(language, count) else one).format(n=count)


def chats(language: str, count: int) -> str:
    return _counted(language, count, lambda _: (_("{n} chat"), _("{n} chats")))


def planned_deliveries(language: str, count: int) -> str:
    return _counted(language, count,
                    lambda _: (_("{n} delivery planned"), _("{n} deliveries planned")))


def steps(language: str, count: int) -> str:
    return _counted(language, count, lambda _: (_("{n} step"), _("{n} steps")))


def messages(language: str, count: int) -> str:
    return _counted(language, count, lambda _: (_("{n} message"), _("{n} messages")))


def members(language: str, count: int) -> str:
    return _counted(language, count, lambda _: (_("{n} member"), _("{n} members")))


def residents(language: str, count: int) -> str:
    return _counted(language, count, lambda _: (_("{n} resident"), _("{n} residents")))
