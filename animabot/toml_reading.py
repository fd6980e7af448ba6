"""Parse a facilitator's TOML text and report every syntax fault, never a traceback.

tomllib stops at the first fault. A facilitator wants them all in one round, so a faulty
``key = value`` line is blanked and the text parsed again, up to :data:`MAX_FAULTS` times;
a fault elsewhere (a table header, a multi-line text) leaves the structure unknown, and the
search stops there. The same goes for what tomllib does not turn into a ``TOMLDecodeError``:
nesting deep enough to exhaust the stack, or a number too long to convert.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from .i18n.lazy import lazy as _
from .toml_lines import Loc, locate

MAX_FAULTS = 20
# No scenario or configuration nests deeper than a few levels: stop long before the stack.
MAX_DEPTH = 32
_LINE_RE = re.compile(r"at line (\d+)")
_KEY_LINE_RE = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+?)\s*=")
_LONG_NUMBER_RE = re.compile(r"\d{1000,}")
# tomllib's own message (English, shown as it is) -> what to look at.
_HINTS: dict[str, str] = {
    "Cannot overwrite a value": _("a key is written twice in the same table: keep only one"),
    "Illegal character '\\n'": _('a text is not closed: end it with a straight double quote "'),
    "Invalid value": _('texts need straight double quotes "..." (not “...”), lists need [ ]'),
    "Unclosed array": _("a list is not closed: end it with ]"),
}


@dataclass(frozen=True)
class SyntaxFault:
    """One place where the text is not TOML; ``fix`` says what to look at."""

    message: str
    fix: str
    line: int | None


@dataclass
class Parsed:
    """The data read (``None`` when nothing usable could be read) and every fault met.

    ``dropped_keys`` names the first part of each key whose line was blanked: a later
    "missing key" complaint about it would only repeat the syntax fault.
    """

    data: dict[str, Any] | None
    faults: list[SyntaxFault] = field(default_factory=list)
    dropped_keys: set[str] = field(default_factory=set)


def normalise_newlines(text: str) -> str:
    """Old Mac (CR) and Windows (CRLF) line ends as ``\\n``: tomllib refuses a bare CR."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_toml(text: str) -> Parsed:
    """Parse ``text`` (newlines already normalised), collecting every syntax fault."""
    lines = text.split("\n")
    parsed = Parsed(None)
    seen: set[int] = set()
    while len(parsed.faults) < MAX_FAULTS:
        try:
            parsed.data = tomllib.loads("\n".join(lines))
        except tomllib.TOMLDecodeError as exc:
            fault = _decode_fault(str(exc), len(lines))
            parsed.faults.append(fault)
            key = _blankable_key(lines, fault.line, seen)
            if key is None or fault.line is None:
                return parsed
            seen.add(fault.line)
            parsed.dropped_keys.add(key)
            lines[fault.line - 1] = ""
            continue
        except RecursionError:
            parsed.faults.append(_deep_fault(text))
        except ValueError:  # int() refuses a number of thousands of digits
            parsed.faults.append(_long_number_fault(text))
        else:
            if (where := too_deep(parsed.data)) is not None:
                parsed.data = None
                parsed.faults.append(_deep_fault(text, where))
        return parsed
    return parsed


def too_deep(data: Any, limit: int = MAX_DEPTH) -> Loc | None:
    """The path to a value nested more than ``limit`` levels, walked without recursion.

    The path goes on down to a leaf, as written in the file (``a.b.b.b… = 1``), so that it
    can be located.
    """
    stack: list[tuple[Any, Loc]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > limit:
            while isinstance(value, dict | list) and value:
                key, value = next(iter(value.items() if isinstance(value, dict)
                                       else enumerate(value)))
                path = (*path, key if isinstance(key, int) else str(key))
            return path
        if isinstance(value, dict):
            stack.extend((item, (*path, str(key))) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
    return None


def _decode_fault(message: str, line_count: int) -> SyntaxFault:
    match = _LINE_RE.search(message)
    line = int(match.group(1)) if match else line_count
    hint = next((h for key, h in _HINTS.items() if message.startswith(key)), None)
    fix = _("check line {line}: {hint}", line=line,
            hint=hint or _("quotes, brackets, commas and = signs"))
    return SyntaxFault(_("is not valid TOML: {detail}", detail=message), fix, line)


def _blankable_key(lines: list[str], line: int | None, seen: set[int]) -> str | None:
    """The key on ``line`` when blanking that line keeps the rest readable, else ``None``."""
    if line is None or line in seen or not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    match = _KEY_LINE_RE.match(text)
    if match is None or '"""' in text or "'''" in text:
        return None
    return match.group(1).split(".")[0].strip("\"'")


def _deep_fault(text: str, where: Loc | None = None) -> SyntaxFault:
    """Point at the given path, else at the line with the most opening brackets."""
    line = locate(text, where) if where is not None else None
    if line is None:
        counts = [row.count("[") + row.count("{") for row in text.split("\n")]
        deepest = max(range(len(counts)), key=counts.__getitem__)
        line = deepest + 1 if counts[deepest] > 2 else None
    return SyntaxFault(
        _("nests lists or tables more than {depth} levels deep", depth=MAX_DEPTH),
        _("remove the extra brackets or dots: a few levels are all this file needs"),
        line,
    )


def _long_number_fault(text: str) -> SyntaxFault:
    match = _LONG_NUMBER_RE.search(text)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    return SyntaxFault(_("holds a number with thousands of digits"),
                       _("write a plain number, such as correct = 2"), line)
