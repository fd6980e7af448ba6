"""Read a scenario file and report every fault in it at once, located and with its fix.

Faults come from four places, checked in this order so one run shows all it can: reading the
file (missing, a directory, binary, not UTF-8, empty), the TOML syntax, the pydantic model
(unknown keys, lengths, types) together with duplicate step ids, and the time ordering, which
:func:`build_timeline` judges from a fixed reference start because the real start date is only
chosen when a campaign starts.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..delivery.window import DeliveryWindow
from ..errors import Problem, ScenarioError
from ..toml_lines import locate
from .model import (
    STEP_KINDS,
    Announcement,
    Card,
    Poll,
    QuizQuestion,
    Results,
    Scenario,
    Training,
)
from .timeline import build_timeline
from .timespec import SYNTAX_HELP

Loc = tuple[int | str, ...]

# A Monday morning far from any DST change: with an always-open window, only the order of the
# steps can fail, never the quiet hours of a particular day.
REFERENCE_ZONE = "Europe/Paris"
REFERENCE_START = datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo(REFERENCE_ZONE))

EXAMPLE = "scenarios/demo.toml"
KNOWN_SHOWN = 12  # actor ids listed in a fix: enough to spot a typo, not the whole directory
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
_TOML_HINTS: dict[str, str] = {
    "Cannot overwrite a value": "a key is written twice in the same table: keep only one",
    "Illegal character '\\n'": "a text is not closed: end it with a straight double quote \"",
    "Invalid value": 'texts need straight double quotes "..." (not “...”), lists need [ ]',
    "Unclosed array": "a list is not closed: end it with ]",
}


def load_scenario(path: Path) -> Scenario:
    """The scenario in ``path``; raise :class:`ScenarioError` listing every fault found."""
    return load_scenario_text(_read_text(path), str(path))


def check_scenario_file(path: Path) -> list[Problem]:
    """Every fault of the scenario in ``path``; an empty list when it is valid."""
    try:
        load_scenario(path)
    except ScenarioError as exc:
        return exc.problems
    return []


def load_scenario_text(text: str, name: str) -> Scenario:
    """Parse and check a scenario held in ``text``; ``name`` labels the problems (a path)."""
    data = _parse_toml(text, name)
    problems = _duplicate_ids(data, name, text)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            [_from_pydantic(error, name, text) for error in exc.errors()] + problems
        ) from None
    if problems:
        raise ScenarioError(problems)  # the timeline cannot be judged with ambiguous ids
    try:
        build_timeline(scenario, REFERENCE_START, DeliveryWindow.always(REFERENCE_ZONE))
    except ScenarioError as exc:
        raise ScenarioError(relabel_problems(exc.problems, name, text, data)) from None
    return scenario


def unknown_actors(scenario: Scenario, known: Collection[str], name: str) -> list[Problem]:
    """A problem (not yet located: see :func:`locate_in_file`) per step naming an actor that
    is not in the directory; ``known`` holds the directory's ids."""
    return [
        Problem(name, field_path(("steps", index, "actor")), f"unknown actor {actor_id!r}",
                unknown_actor_fix(actor_id, known))
        for index, actor_id in scenario.actor_refs()
        if actor_id not in known
    ]


def unknown_actor_fix(actor_id: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(actor_id, list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    listed = ", ".join(sorted(known)[:KNOWN_SHOWN]) + (", …" if len(known) > KNOWN_SHOWN else "")
    return (f"{hint}import it with `animabot actors import`, or fix the id; "
            f"known: {listed or 'none yet'}")


def relabel_problems(
    problems: list[Problem], name: str, text: str | None, data: dict[str, Any] | None = None
) -> list[Problem]:
    """Give timeline problems (labelled ``scenario 'x'``, no line) the file and line they are at.

    A results step without ``at`` uses "after OF closes": a fault there is reported on ``of``.
    """
    located = []
    for problem in problems:
        field = problem.field
        loc = parse_field_path(field)
        if (
            data is not None
            and len(loc) == 3
            and loc[0] == "steps"
            and loc[2] == "at"
            and _raw_step(data, loc[1]).get("kind") == "results"
            and "at" not in _raw_step(data, loc[1])
        ):
            loc = (*loc[:2], "of")
            field = field_path(loc)
        located.append(Problem(name, field, problem.message, problem.fix, locate(text, loc)))
    return located


def locate_in_file(problems: list[Problem], path: Path) -> list[Problem]:
    """:func:`relabel_problems` for problems found later (e.g. with a real start date)."""
    unlocated = [p for p in problems if p.line is None and p.field]
    if not unlocated:
        return problems
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return problems
    relabelled = iter(relabel_problems(unlocated, str(path), text, data))
    return [next(relabelled) if p in unlocated else p for p in problems]


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


def _read_text(path: Path) -> str:
    file = str(path)
    if path.is_dir():
        raise _single(file, "is a directory, not a scenario file",
                      f"give the path of a .toml file, e.g. {EXAMPLE}")
    if not path.exists():
        raise _single(file, "no such file", f"check the path and its spelling (e.g. {EXAMPLE})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _single(file, f"cannot be read: {exc.strerror}",
                      "check that the file is readable by this user") from None
    if b"\x00" in raw:
        raise _single(file, "is a binary file, not a scenario text",
                      "give a .toml text file written with a plain text editor")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _single(file, "is not UTF-8 text (accents saved in another encoding?)",
                      "save the file again choosing the UTF-8 encoding", line) from None


def _parse_toml(text: str, name: str) -> dict[str, Any]:
    if not text.strip():
        raise _single(name, "the file is empty",
                      f"write at least id, title and one [[steps]]: copy {EXAMPLE} to start")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"at line (\d+)", message)
        line = int(match.group(1)) if match else len(text.splitlines())
        hint = next((h for key, h in _TOML_HINTS.items() if message.startswith(key)), None)
        fix = f"check line {line}: " + (hint or "quotes, brackets, commas and = signs")
        raise _single(name, f"is not valid TOML: {message}", fix, line) from None
    if not data:
        raise _single(name, "the file holds only comments, no scenario",
                      f"write at least id, title and one [[steps]]: copy {EXAMPLE} to start")
    return data


def _single(file: str, message: str, fix: str, line: int | None = None) -> ScenarioError:
    return ScenarioError([Problem(file, "", message, fix, line)])


def _raw_step(data: dict[str, Any], index: int | str) -> dict[str, Any]:
    steps = data.get("steps")
    if isinstance(index, int) and isinstance(steps, list) and index < len(steps):
        step = steps[index]
        if isinstance(step, dict):
            return step
    return {}


def _duplicate_ids(data: dict[str, Any], name: str, text: str) -> list[Problem]:
    steps = data.get("steps")
    if not isinstance(steps, list):
        return []
    first: dict[str, int] = {}
    problems = []
    for index, step in enumerate(steps):
        step_id = step.get("id") if isinstance(step, dict) else None
        if not isinstance(step_id, str):
            continue
        if step_id in first:
            loc: Loc = ("steps", index, "id")
            problems.append(Problem(
                name, field_path(loc),
                f"the id {step_id!r} is already used by steps[{first[step_id]}]",
                "give every step its own id: other steps refer to a step by its id",
                locate(text, loc),
            ))
        else:
            first[step_id] = index
    return problems


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


def _from_pydantic(error: ErrorDetails, name: str, text: str) -> Problem:
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
