"""Read a scenario file and report every fault in it at once, located and with its fix.

Faults come from four places, checked in this order so one run shows all it can: reading the
file (missing, a directory, binary, not UTF-8, empty), the TOML syntax, the pydantic model
(unknown keys, lengths, types) together with duplicate step ids, and the time ordering, which
:func:`build_timeline` judges from a fixed reference start because the real start date is only
chosen when a campaign starts.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError

from ..domain.window import DeliveryWindow
from ..errors import Problem, ScenarioError
from ..i18n.lazy import lazy as _
from ..toml_lines import Loc, locate
from ..toml_reading import normalise_newlines, parse_toml
from .explain import EXAMPLE, field_path, from_pydantic, parse_field_path
from .model import Announcement, AnyStep, Scenario, Step
from .timeline import build_timeline

__all__ = [
    "check_scenario_file", "field_path", "load_scenario", "load_scenario_text",
    "locate_in_file", "parse_field_path", "relabel_problems", "unknown_actors",
]

# A Monday morning far from any DST change: with an always-open window, only the order of the
# steps can fail, never the quiet hours of a particular day.
REFERENCE_ZONE = "Europe/Paris"
REFERENCE_START = datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo(REFERENCE_ZONE))

_STEP: TypeAdapter[AnyStep] = TypeAdapter(Step)
_PLACEHOLDER = "\x00unreadable-"  # no step id can start so: the pattern forbids it
_START_FIX = _("write at least id, title and one [[steps]]: copy {example} to start",
              example=EXAMPLE)
# Steps whose default ``at`` is built from another key: a fault there is that key's.
_DEFAULT_AT_FROM = {"results": "of", "outcome": "poll"}
KNOWN_SHOWN = 12  # actor ids listed in a fix: enough to spot a typo, not the whole directory


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
    """Parse and check a scenario held in ``text``; ``name`` labels the problems (a path).

    Every fault is gathered before raising: syntax faults on ``key = value`` lines, then the
    model's, then the time ordering of the steps that could be read.
    """
    text = normalise_newlines(text)
    data, problems, dropped = _parse_toml(text, name)
    if data is None:
        raise ScenarioError(problems)
    problems += _duplicate_ids(data, name, text)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems += [
            problem for error in exc.errors()
            if not (error["type"] == "missing" and str(error["loc"][-1]) in dropped)
            for problem in [from_pydantic(error, name, text)]
        ]
        scenario = None
    readable, unreadable = _readable_steps(data)
    if readable is not None:
        try:
            build_timeline(readable, REFERENCE_START, DeliveryWindow.always(REFERENCE_ZONE),
                           unreadable=unreadable)
        except ScenarioError as exc:
            problems += relabel_problems(exc.problems, name, text, data)
    if problems or scenario is None:
        raise ScenarioError(sorted(problems, key=_in_file_order))
    return scenario


def _in_file_order(problem: Problem) -> int:
    return problem.line if problem.line is not None else 0


def _readable_steps(data: dict[str, Any]) -> tuple[Scenario | None, frozenset[str]]:
    """A scenario of the steps that pass the model, for judging the time ordering anyway.

    A step that cannot be read (or repeats an id) becomes a silent placeholder sent at the
    start, so positions stay those of the file; references to its id stay unresolved
    without a complaint (``unreadable``): the step's own fault is already reported.
    """
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        return None, frozenset()
    steps: list[Any] = []
    seen: set[str] = set()
    unreadable: set[str] = set()
    for index, raw in enumerate(raw_steps):
        try:
            step = _STEP.validate_python(raw)
        except ValidationError:
            step = None
        if step is None or step.id in seen:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            if isinstance(raw_id, str) and raw_id not in seen:
                unreadable.add(raw_id)
            step = Announcement.model_construct(
                id=f"{_PLACEHOLDER}{index}", kind="announcement", at="+0", text={"fr": "-"}
            )
        seen.add(step.id)
        steps.append(step)
    scenario_id = data.get("id") if isinstance(data.get("id"), str) else "scenario"
    return Scenario.model_construct(id=scenario_id, title="-", steps=steps), frozenset(unreadable)


def unknown_actors(scenario: Scenario, known: Collection[str], name: str) -> list[Problem]:
    """A problem (not yet located: see :func:`locate_in_file`) per step naming an actor that
    is not in the directory; ``known`` holds the directory's ids."""
    return [
        Problem(name, field_path(("steps", index, "actor")),
                _("unknown actor {actor_id!r}", actor_id=actor_id),
                unknown_actor_fix(actor_id, known))
        for index, actor_id in scenario.actor_refs()
        if actor_id not in known
    ]


def unknown_actor_fix(actor_id: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(actor_id, list(known), n=1)
    listed = ", ".join(sorted(known)[:KNOWN_SHOWN]) + (", …" if len(known) > KNOWN_SHOWN else "")
    shown = listed or _("none yet")
    if close:
        return _("did you mean {close!r}? import it with `animabot actors import`, or fix the "
                 "id; known: {known}", close=close[0], known=shown)
    return _("import it with `animabot actors import`, or fix the id; known: {known}",
             known=shown)


def relabel_problems(
    problems: list[Problem], name: str, text: str | None, data: dict[str, Any] | None = None
) -> list[Problem]:
    """Give timeline problems (labelled ``scenario 'x'``, no line) the file and line they are at.

    A results step without ``at`` uses "after OF closes": a fault there is reported on ``of``;
    an outcome's, "after POLL closes", on ``poll``.
    """
    located = []
    for problem in problems:
        field = problem.field
        loc = parse_field_path(field)
        raw = _raw_step(data, loc[1]) if data is not None and len(loc) == 3 else {}
        anchor = _DEFAULT_AT_FROM.get(str(raw.get("kind")))
        if (
            anchor is not None
            and loc[0] == "steps"
            and loc[2] == "at"
            and "at" not in raw
            and anchor in raw
        ):
            loc = (*loc[:2], anchor)
            field = field_path(loc)
        located.append(Problem(name, field, problem.message, problem.fix, locate(text, loc)))
    return located


def locate_in_file(problems: list[Problem], path: Path) -> list[Problem]:
    """:func:`relabel_problems` for problems found later (e.g. with a real start date)."""
    unlocated = [p for p in problems if p.line is None and p.field]
    if not unlocated:
        return problems
    try:
        text = normalise_newlines(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return problems
    data = parse_toml(text).data
    if data is None:
        return problems
    relabelled = iter(relabel_problems(unlocated, str(path), text, data))
    return [next(relabelled) if p in unlocated else p for p in problems]


def _read_text(path: Path) -> str:
    file = str(path)
    if path.is_dir():
        raise _single(file, _("is a directory, not a scenario file"),
                      _("give the path of a .toml file, e.g. {example}", example=EXAMPLE))
    if not path.exists():
        raise _single(file, _("no such file"),
                      _("check the path and its spelling (e.g. {example})", example=EXAMPLE))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _single(file, _("cannot be read: {reason}", reason=exc.strerror),
                      _("check that the file is readable by this user")) from None
    if b"\x00" in raw:
        raise _single(file, _("is a binary file, not a scenario text"),
                      _("give a .toml text file written with a plain text editor"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _single(file, _("is not UTF-8 text (accents saved in another encoding?)"),
                      _("save the file again choosing the UTF-8 encoding"), line) from None


def _parse_toml(text: str, name: str) -> tuple[dict[str, Any] | None, list[Problem], set[str]]:
    """The data (``None`` when unusable), every syntax problem, and the keys they dropped."""
    if not text.strip():
        raise _single(name, _("the file is empty"), _START_FIX)
    parsed = parse_toml(text)
    problems = [Problem(name, "", fault.message, fault.fix, fault.line) for fault in parsed.faults]
    if parsed.data is not None and not parsed.data and not problems:
        raise _single(name, _("the file holds only comments, no scenario"), _START_FIX)
    return parsed.data, problems, parsed.dropped_keys


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
                _("the id {step_id!r} is already used by steps[{index}]",
                  step_id=step_id, index=first[step_id]),
                _("give every step its own id: other steps refer to a step by its id"),
                locate(text, loc),
            ))
        else:
            first[step_id] = index
    return problems
