"""Find the line of a key path in a TOML text, so errors can say where to look.

tomllib gives no positions, so this follows the text: table headers (``[a]``, ``[[a]]``,
``[a.b]``), dotted keys (``text.fr = ...``) and inline keys. It is a best effort: ``None``
when the key cannot be placed, and then the nearest enclosing table's line.
"""

from __future__ import annotations

import re

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _split_key(raw: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in raw.split("."))


def locate(text: str | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the deepest part of ``loc`` found in ``text``, or ``None``."""
    if text is None:
        return None
    wanted = tuple(str(part) for part in loc)
    table: tuple[str, ...] = ()
    array_counts: dict[tuple[str, ...], int] = {}
    best: tuple[int, int] | None = None  # (matched depth, line)
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
                # `[[steps.quiz]]` belongs to the latest `[[steps]]`: count per parent element.
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
        depth = _common_prefix(path, wanted)
        if depth and depth == len(path) and (best is None or depth > best[0]):
            best = (depth, number)
    return best[1] if best else None


def _resolve(names: tuple[str, ...], arrays: dict[tuple[str, ...], int]) -> tuple[str, ...]:
    """A header's names with the current index inserted after each array of tables."""
    path: tuple[str, ...] = ()
    for name in names:
        path = (*path, name)
        if path in arrays:
            path = (*path, str(arrays[path]))
    return path


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count
