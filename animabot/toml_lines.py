"""Find the line of a key path in a TOML text, so errors can say where to look.

tomllib gives no positions, so this follows the text: table headers (``[a]``, ``[[a]]``,
``[a.b]``), dotted keys (``text.fr = ...``) and inline keys. It is a best effort: ``None``
when the key cannot be placed, and then the nearest enclosing table's line.

:class:`LineIndex` reads the text once; every lookup is then a few dictionary probes, so a
file with thousands of faults is located in time linear in its size.
"""

from __future__ import annotations

import re
from functools import lru_cache

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")

Loc = tuple[int | str, ...]


def _split_key(raw: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in raw.split("."))


class LineIndex:
    """Every table and key path of a TOML text with the 1-based line it first appears on."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        array_counts: dict[tuple[str, ...], int] = {}
        in_multiline = False
        for number, line in enumerate(text.splitlines(), start=1):
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = not in_multiline
                if not in_multiline:
                    continue
            elif in_multiline:
                continue
            header = _HEADER_RE.match(line)
            if header:
                names = _split_key(header.group(2))
                if header.group(1) == "[[":
                    # `[[steps.quiz]]` belongs to the latest `[[steps]]`: count per parent.
                    array = (*_resolve(names[:-1], array_counts), names[-1])
                    index = array_counts.get(array, -1) + 1
                    array_counts[array] = index
                    table = (*array, str(index))
                else:
                    table = _resolve(names, array_counts)
                path = table
            else:
                key = _KEY_RE.match(line)
                if not key:
                    continue
                path = (*table, *_split_key(key.group(1)))
            self._lines.setdefault(path, number)

    def line(self, loc: Loc) -> int | None:
        """1-based line of the deepest part of ``loc`` found, or ``None``."""
        wanted = tuple(str(part) for part in loc)
        for depth in range(len(wanted), 0, -1):
            found = self._lines.get(wanted[:depth])
            if found is not None:
                return found
        return None


@lru_cache(maxsize=8)
def line_index(text: str) -> LineIndex:
    """The index of ``text``, built once however many problems are located in it."""
    return LineIndex(text)


def locate(text: str | None, loc: Loc) -> int | None:
    """1-based line of the deepest part of ``loc`` found in ``text``, or ``None``."""
    if text is None:
        return None
    return line_index(text).line(loc)


def _resolve(names: tuple[str, ...], arrays: dict[tuple[str, ...], int]) -> tuple[str, ...]:
    """A header's names with the current index inserted after each array of tables."""
    path: list[str] = []
    deepest = max(map(len, arrays), default=0)  # no array below: skip building keys
    for name in names:
        path.append(name)
        index = arrays.get(tuple(path)) if len(path) <= deepest else None
        if index is not None:
            path.append(str(index))
    return tuple(path)
