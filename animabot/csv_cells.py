"""CSV cells a spreadsheet opens as text, never as a formula (OWASP "CSV injection"): a
resident's report, an actor's description or an audit detail starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would otherwise run in the facilitator's tableur.
Every CSV animabot writes goes through :func:`safe_row`; numbers stay numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """``value`` as written, or behind a ``'`` when it is text a spreadsheet would run
    (a number, even negative, and a text such as ``-12.5`` are left alone)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not _NUMBER.fullmatch(value):
        return ESCAPE + value
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in row]


def safe_dict(row: Mapping[str, object]) -> dict[str, object]:
    return {key: safe_cell(value) for key, value in row.items()}


def unescape_cell(text: str) -> str:
    """What :func:`safe_cell` wrote, read back: the ``'`` before a formula sign goes (so an
    exported CSV imports again as it was)."""
    if text.startswith(ESCAPE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
