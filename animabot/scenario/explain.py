"""Turn pydantic's validation errors on a scenario into a facilitator's words and fixes.

Each error becomes a :class:`Problem` with the key path as it reads in the file
(``steps[2].options.fr``), the line it is on, what is wrong and how to put it right.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from ..errors import Problem
from ..toml_lines import Loc, locate
from .model import STEP_KINDS, Announcement, Card, Poll, QuizQuestion, Results, Scenario, Training
from .timespec import SYNTAX_HELP

EXAMPLE = "scenarios/demo.toml"

_STEP_MODELS: dict[str, type[BaseModel]] = {
    "announcement": Announcement,
    "poll": Poll,
    "training": Training,
    "results": Results,
}
# (owner, field) -> (fewest, most, what is counted); mirrors the limits in model.py.
_LIST_BOUNDS: dict[tuple[str, str], tuple[int, int | None, str]] = {
    ("poll", "options"): (2, 12, "options"),
    ("quiz question", "options"): (2, 10, "options"),
    ("training", "cards"): (2, 6, "cards"),
    ("training", "quiz"): (1, 3, "quiz questions"),
    ("poll", "reminders"): (0, 5, "reminders"),
    ("training", "reminders"): (0, 5, "reminders"),
    ("scenario", "steps"): (1, None, "steps"),
}
# How to add a missing key; the default is `add KEY = "..."`.
_MISSING_FIXES: dict[str, str] = {
    "id": 'add id = "vote-jardin"  (lower-case letters, digits, - and _)',
    "title": 'add title = "Un jardin partagé ?"',
    "kind": 'add kind = "announcement"  (or poll, training, results)',
    "at": 'add at = "+1d 18:00"',
    "closes": 'add closes = "+4d 20:00"',
    "text": 'add text.fr = "..." (and text.en = "...")',
    "question": 'add question.fr = "..." (and question.en = "...")',
    "options": 'add options.fr = ["Oui", "Non"] (and options.en = ["Yes", "No"])',
    "explanation": 'add explanation.fr = "..." (and explanation.en = "...")',
    "of": 'add of = "envie"  (the id of the poll whose results are published)',
    "correct": "add correct = 1  (the number of the right option, counting from 1)",
    "cards": 'add at least two [[steps.cards]] tables, each with text.fr = "..."',
    "quiz": "add at least one [[steps.quiz]] table with question, options, correct, explanation",
    "steps": "add at least one [[steps]] table",
}
# Messages of model.py's whole-model validators -> the key they are about.
_MODEL_CHECKS: dict[str, str] = {
    "correct = ": "correct",
    "every language needs the same number of options": "options",
}


def field_path(loc: Loc) -> str:
    """``("steps", 2, "options", "fr")`` → ``"steps[2].options.fr"``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path


def parse_field_path(path: str) -> Loc:
    """The inverse of :func:`field_path`."""
    return tuple(
        int(index) if index else name
        for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)
    )


def _owner(loc: Loc) -> tuple[str, type[BaseModel], int]:
    """The model that holds the field at ``loc`` (raw pydantic loc), and where its fields start."""
    if len(loc) > 2 and loc[0] == "steps" and loc[2] in _STEP_MODELS:
        kind = str(loc[2])
        if len(loc) > 4 and isinstance(loc[4], int) and loc[3] in ("cards", "quiz"):
            return ("card", Card, 5) if loc[3] == "cards" else ("quiz question", QuizQuestion, 5)
        return kind, _STEP_MODELS[kind], 3
    return "scenario", Scenario, 0


def _clean_loc(loc: Loc) -> Loc:
    """Drop what pydantic adds to a path: the step-kind tag after the index, ``[key]``."""
    parts = [part for part in loc if part != "[key]"]
    if len(parts) > 2 and parts[0] == "steps" and parts[2] in _STEP_MODELS:
        del parts[2]
    return tuple(parts)


def from_pydantic(error: ErrorDetails, name: str, text: str) -> Problem:
    raw = tuple(error["loc"])
    loc = _clean_loc(raw)
    owner, model, start = _owner(raw)
    field = str(raw[start]) if len(raw) > start else ""
    message, fix = _explain(error, owner, model, field)
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc = (*loc, "kind")
    else:  # a whole-model check in model.py: point at the key it is about
        loc = (*loc, *(key for prefix, key in _MODEL_CHECKS.items() if message.startswith(prefix)))
    return Problem(name, field_path(loc), message, fix, locate(text, loc))


def _explain(
    error: ErrorDetails, owner: str, model: type[BaseModel], field: str
) -> tuple[str, str]:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    key = str(error["loc"][-1]) if error["loc"] else ""
    where = "the scenario" if owner == "scenario" else _a(
        f"{owner} step" if owner in _STEP_MODELS else owner
    )
    if kind == "extra_forbidden":
        allowed = list(model.model_fields)
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        place = "at the top of the file" if owner == "scenario" else f"in {where}"
        return f"unknown key {key!r}", f"{hint}allowed keys {place}: {', '.join(allowed)}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        kinds = ", ".join(STEP_KINDS)
        tag = ctx.get("tag")
        close = difflib.get_close_matches(str(tag), STEP_KINDS, n=1) if tag else []
        hint = f"did you mean {close[0]!r}? " if close else ""
        message = f"unknown step kind {tag!r}" if tag is not None else "this step has no kind"
        return message, f"{hint}write kind = one of: {kinds}"
    if kind == "missing":
        return f"{where} needs the key {key!r}", _MISSING_FIXES.get(key, f'add {key} = "..."')
    if kind in ("too_long", "too_short", "string_too_long", "string_too_short"):
        return _explain_length(kind, ctx, value, owner, field)
    if kind == "literal_error" and error["loc"][-1] == "[key]":
        return f"{value!r} is not a language", "write fr (required) or en"
    if kind == "literal_error":
        return f"{value!r} is not allowed", f"write one of: {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return (f"{value!r} is not a valid id",
                'use lower-case letters, digits, - and _ (at most 40), e.g. "vote-jardin"')
    if kind == "greater_than_equal":
        return f"must be {ctx.get('ge')} or more, not {value!r}", "options are counted from 1"
    if kind == "model_type" and owner == "training" and field == "cards":
        return "a card must be a table", 'write it as [[steps.cards]] then text.fr = "..."'
    if kind == "list_type" and isinstance(value, dict) and field in ("steps", "cards", "quiz"):
        header = "steps" if field == "steps" else f"steps.{field}"
        return (f"{field} must be a list",
                f"start each one with [[{header}]] (two brackets), not [{header}]")
    if kind == "list_type" and isinstance(value, str):
        return "must be a list", f'write it between brackets: {key} = ["{value}"]'
    message = error["msg"].removeprefix("Value error, ")
    if message == "must not be empty":
        return message, "write a text between the quotes, or remove the key if it is optional"
    for separator in ("; ", ": "):
        head, found, tail = message.rpartition(separator)
        if found and tail.startswith(("write", "add", "translate", "use", "give", "remove")):
            return head, tail
    if field in ("at", "closes", "reminders"):
        return message, SYNTAX_HELP
    return message, f"compare with the same key in {EXAMPLE}"


def _explain_length(
    kind: str, ctx: dict[str, Any], value: Any, owner: str, field: str
) -> tuple[str, str]:
    actual = ctx.get("actual_length", len(value) if hasattr(value, "__len__") else 0)
    if isinstance(value, str):
        if kind.endswith("too_short"):
            return "must not be empty", "write a text"
        limit = int(ctx.get("max_length", 0))
        return (
            f"is too long: {actual} characters, the limit is {limit}",
            f"shorten it by at least {actual - limit} characters (messaging apps refuse more)",
        )
    low, high, noun = _LIST_BOUNDS.get(
        (owner, field), (int(ctx.get("min_length", 0)), ctx.get("max_length"), "items")
    )
    allowed = f"{low} to {high}" if high is not None else f"at least {low}"
    change = low - actual if kind.endswith("too_short") else actual - int(high or actual)
    counted = noun.removesuffix("s") if change == 1 else noun
    fix = f"{'add' if kind.endswith('too_short') else 'remove'} {change} {counted}"
    return f"{_a(owner)} takes {allowed} {noun}, this one has {actual}", fix


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"
