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

from ..errors import FieldValueError, Problem
from ..field_faults import refill, shown, type_fault
from ..i18n.lazy import lazy as _
from ..toml_lines import Loc, locate
from .model import (
    STEP_KINDS,
    Announcement,
    Audience,
    Card,
    Outcome,
    Poll,
    QuizQuestion,
    Results,
    Scenario,
    Training,
)
from .timespec import SYNTAX_HELP

EXAMPLE = "scenarios/demo.toml"

_STEP_MODELS: dict[str, type[BaseModel]] = {
    "announcement": Announcement,
    "poll": Poll,
    "training": Training,
    "results": Results,
    "outcome": Outcome,
}
# How a model is named in a sentence ("the scenario needs the key 'id'").
_OWNER_NAMES: dict[str, str] = {
    "scenario": _("the scenario"),
    "announcement": _("an announcement step"),
    "poll": _("a poll step"),
    "training": _("a training step"),
    "results": _("a results step"),
    "outcome": _("an outcome step"),
    "card": _("a card"),
    "quiz question": _("a quiz question"),
    "audience": _("an audience"),
}
# (owner, field) -> (fewest, most, the sentence); mirrors the limits in model.py.
_LIST_BOUNDS: dict[tuple[str, str], tuple[int, int | None, str]] = {
    ("poll", "options"): (2, 12, _("a poll takes {allowed} options, this one has {actual}")),
    ("quiz question", "options"): (
        2, 10, _("a quiz question takes {allowed} options, this one has {actual}")),
    ("training", "cards"): (2, 6, _("a training takes {allowed} cards, this one has {actual}")),
    ("training", "quiz"): (
        1, 3, _("a training takes {allowed} quiz questions, this one has {actual}")),
    ("poll", "reminders"): (0, 5, _("a poll takes {allowed} reminders, this one has {actual}")),
    ("training", "reminders"): (
        0, 5, _("a training takes {allowed} reminders, this one has {actual}")),
    ("scenario", "steps"): (1, None, _("a scenario takes {allowed} steps, this one has {actual}")),
}
# What to add or remove, by the field counted: (add one, add n, remove one, remove n).
# One or more in both languages alike, so the form is chosen here.
_COUNTED_FIXES: dict[str, tuple[str, str, str, str]] = {
    "options": (_("add {n} option"), _("add {n} options"),
                _("remove {n} option"), _("remove {n} options")),
    "cards": (_("add {n} card"), _("add {n} cards"), _("remove {n} card"), _("remove {n} cards")),
    "quiz": (_("add {n} quiz question"), _("add {n} quiz questions"),
             _("remove {n} quiz question"), _("remove {n} quiz questions")),
    "reminders": (_("add {n} reminder"), _("add {n} reminders"),
                  _("remove {n} reminder"), _("remove {n} reminders")),
    "steps": (_("add {n} step"), _("add {n} steps"), _("remove {n} step"), _("remove {n} steps")),
}
_ITEM_FIXES = (_("add {n} item"), _("add {n} items"), _("remove {n} item"), _("remove {n} items"))
# How to add a missing key; the default is `add KEY = "..."`.
_MISSING_FIXES: dict[str, str] = {
    "id": _('add id = "vote-jardin"  (lower-case letters, digits, - and _)'),
    "title": _('add title = "Un jardin partagé ?"'),
    "kind": _('add kind = "announcement"  (or poll, training, results, outcome)'),
    "at": _('add at = "+1d 18:00"'),
    "closes": _('add closes = "+4d 20:00"'),
    "text": _('add text.fr = "..." (and text.en = "...")'),
    "question": _('add question.fr = "..." (and question.en = "...")'),
    "options": _('add options.fr = ["Oui", "Non"] (and options.en = ["Yes", "No"])'),
    "explanation": _('add explanation.fr = "..." (and explanation.en = "...")'),
    "of": _('add of = "envie"  (the id of the poll whose results are published)'),
    "decision": _('add decision.fr = "..." (what was decided; and decision.en = "...")'),
    "correct": _("add correct = 1  (the number of the right option, counting from 1)"),
    "cards": _('add at least two [[steps.cards]] tables, each with text.fr = "..."'),
    "quiz": _("add at least one [[steps.quiz]] table with question, options, correct, "
              "explanation"),
    "steps": _("add at least one [[steps]] table"),
}
# Messages of model.py's whole-model validators -> the key they are about.
_MODEL_CHECKS: dict[str, str] = {
    "correct = ": "correct",
    "every language needs the same number of options": "options",
    "overall = false and per_neighbourhood = false": "overall",
    "an outcome tells what became of a poll or of ideas": "kind",
    "figures = true repeats a poll's final figures": "figures",
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
        if len(loc) > 4 and loc[3] == "audience":
            return "audience", Audience, 4
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
    where = _OWNER_NAMES[owner]
    if kind == "extra_forbidden":
        allowed = list(model.model_fields)
        close = difflib.get_close_matches(key, allowed, n=1)
        place = _("at the top of the file") if owner == "scenario" else _("in {where}",
                                                                          where=where)
        keys = ", ".join(allowed)
        fix = (_("did you mean {close!r}? allowed keys {place}: {keys}",
                 close=close[0], place=place, keys=keys) if close
               else _("allowed keys {place}: {keys}", place=place, keys=keys))
        return _("unknown key {key!r}", key=key), fix
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _explain_kind(ctx.get("tag"))
    if kind == "missing":
        return (_("{where} needs the key {key!r}", where=where, key=key),
                _MISSING_FIXES.get(key) or _('add {key} = "..."', key=key))
    if kind in ("too_long", "too_short", "string_too_long", "string_too_short"):
        return _explain_length(kind, ctx, value, owner, field)
    if kind == "literal_error" and error["loc"][-1] == "[key]":
        return _("{value!r} is not a language", value=value), _("write fr (required) or en")
    if kind == "literal_error":
        return (_("{value!r} is not allowed", value=value),
                _("write one of: {expected}", expected=ctx.get("expected", "")))
    if kind == "string_pattern_mismatch":
        return (_("{value!r} is not a valid id", value=value),
                _('use lower-case letters, digits, - and _ (at most 40), e.g. "vote-jardin"'))
    if kind == "greater_than_equal" and key == "correct":
        return (_("must be {limit} or more, not {value!r}", limit=ctx.get("ge"), value=value),
                _("options are counted from 1"))
    if kind == "model_type" and owner == "training" and field == "cards":
        return _("a card must be a table"), _('write it as [[steps.cards]] then text.fr = "..."')
    if kind == "list_type" and isinstance(value, dict) and field in ("steps", "cards", "quiz"):
        header = "steps" if field == "steps" else f"steps.{field}"
        return (_("{field} must be a list", field=field),
                _("start each one with [[{header}]] (two brackets), not [{header}]",
                  header=header))
    if kind == "list_type" and isinstance(value, str):
        return (_("must be a list"),
                _('write it between brackets: {key} = ["{value}"]', key=key, value=value))
    if kind == "value_error" and isinstance(ctx.get("error"), FieldValueError):
        fault: FieldValueError = ctx["error"]
        return fault.message, fault.fix or _fallback_fix(field)
    if kind == "dict_type":  # every text of a scenario is a table of languages
        return (_("must be a table of texts by language, not {value}", value=shown(value)),
                _('write {key}.fr = "..." (and {key}.en = "...")', key=key))
    if (words := type_fault(error, EXAMPLE)) is not None:
        return words
    detail = error["msg"].removeprefix("Value error, ")
    if kind == "value_error":  # a plain ValueError of a validator: its text says it all
        for separator in ("; ", ": "):
            head, found, tail = detail.rpartition(separator)
            if found and tail.startswith(("write", "add", "translate", "use", "give", "remove")):
                return head, tail
        return detail, _fallback_fix(field)
    return _("is not valid: {detail}", detail=detail), _fallback_fix(field)


def _explain_kind(tag: Any) -> tuple[str, str]:
    kinds = ", ".join(STEP_KINDS)
    close = difflib.get_close_matches(str(tag), STEP_KINDS, n=1) if tag else []
    message = (_("unknown step kind {tag!r}", tag=tag) if tag is not None
               else _("this step has no kind"))
    fix = (_("did you mean {close!r}? write kind = one of: {kinds}", close=close[0], kinds=kinds)
           if close else _("write kind = one of: {kinds}", kinds=kinds))
    return message, fix


def _fallback_fix(field: str) -> str:
    if field in ("at", "closes", "reminders"):
        return SYNTAX_HELP
    return _("compare with the same key in {example}", example=EXAMPLE)


def _explain_length(
    kind: str, ctx: dict[str, Any], value: Any, owner: str, field: str
) -> tuple[str, str]:
    actual = ctx.get("actual_length", len(value) if hasattr(value, "__len__") else 0)
    if isinstance(value, str):
        if kind.endswith("too_short"):
            return _("must not be empty"), _("write a text")
        limit = int(ctx.get("max_length", 0))
        return (
            _("is too long: {actual} characters, the limit is {limit}",
              actual=actual, limit=limit),
            _("shorten it by at least {excess} characters (messaging apps refuse more)",
              excess=actual - limit),
        )
    low, high, sentence = _LIST_BOUNDS.get(
        (owner, field),
        (int(ctx.get("min_length", 0)), ctx.get("max_length"),
         _("this list takes {allowed} items, it has {actual}")),
    )
    allowed = (_("{low} to {high}", low=low, high=high) if high is not None
               else _("at least {low}", low=low))
    adding = kind.endswith("too_short")
    change = low - actual if adding else actual - int(high or actual)
    add_one, add_many, remove_one, remove_many = _COUNTED_FIXES.get(field, _ITEM_FIXES)
    fix = (add_one if change == 1 else add_many) if adding else (
        remove_one if change == 1 else remove_many)
    return (refill(sentence, allowed=allowed, actual=actual),
            refill(fix, n=change))
