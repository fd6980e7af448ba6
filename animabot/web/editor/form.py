"""The editor's form, one flat field per scenario value, named by the loader's field path
(``steps[0].question.fr``): a problem the loader reports on a path is shown beside the
field of that name, with no table of correspondences to keep up to date.

:func:`data_of` turns the posted fields into the scenario's data (what a TOML file holds);
:func:`fields_of` turns a scenario back into fields. Lists a facilitator types one item a
line (options) are textareas; cards, quiz questions and reminders get one empty slot more
than they hold, so adding one needs no script.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...scenario.model import LANGUAGES, STEP_KINDS, Scenario
from .times import choice_of, spec_of

Fields = dict[str, str]
MAX_STEPS = 30
MAX_CARDS, MAX_QUIZ, MAX_REMINDERS = 6, 3, 5
CHECKED = "on"
_TEXTS = {  # each kind's texts in every language
    "announcement": ("text",),
    "poll": ("question", "reminder_text"),
    "training": ("title", "intro"),
    "results": ("text",),
    "outcome": ("decision", "done"),
}
_FLAGS = {"poll": {"multiple": False, "live_results": True},
          "results": {"per_neighbourhood": False, "overall": True},
          "outcome": {"figures": False}}
# Steps whose time may be left out: results then follow their poll's close, an outcome its
# poll's close (or the start, when it answers ideas only).
_DEFAULT_TIME = ("results", "outcome")


@dataclass
class StepSlots:
    """A step's place in the form: its kind and how many repeated slots it shows."""

    index: int
    kind: str
    cards: int = 0
    quiz: int = 0
    reminders: int = 0
    prefix: str = field(init=False)

    def __post_init__(self) -> None:
        self.prefix = f"steps[{self.index}]"


def step_count(fields: Mapping[str, str]) -> int:
    count = 0
    while count < MAX_STEPS and f"steps[{count}].kind" in fields:
        count += 1
    return count


def slots(fields: Mapping[str, str]) -> list[StepSlots]:
    """The steps the form shows, each with one empty card, question and reminder to fill."""
    shown = []
    for index in range(step_count(fields)):
        p = f"steps[{index}]"
        kind = fields[f"{p}.kind"]
        step = StepSlots(index, kind)
        if kind == "training":
            step.cards = _room(fields, f"{p}.cards", "text.fr", 2, MAX_CARDS)
            step.quiz = _room(fields, f"{p}.quiz", "question.fr", 1, MAX_QUIZ)
        if kind in ("poll", "training"):
            step.reminders = _room(fields, f"{p}.reminders", "mode", 0, MAX_REMINDERS,
                                   empty="none")
        shown.append(step)
    return shown


def _room(fields: Mapping[str, str], base: str, key: str, least: int, most: int,
          empty: str = "") -> int:
    filled = 0
    while filled < most and fields.get(f"{base}[{filled}].{key}", empty).strip() not in \
            ("", empty):
        filled += 1
    return min(most, max(least, filled + 1))


def data_of(fields: Mapping[str, str]) -> dict[str, Any]:
    """The scenario's data as a file would hold it; blanks are left out, so that the loader
    says what is missing where it is missing."""
    data: dict[str, Any] = {}
    for key in ("id", "title", "objective", "description", "every"):
        if value := fields.get(key, "").strip():
            data[key] = value
    data["steps"] = [_step(fields, step) for step in slots(fields)]
    return data


def _step(fields: Mapping[str, str], slot: StepSlots) -> dict[str, Any]:
    p, kind = slot.prefix, slot.kind
    step: dict[str, Any] = {"id": fields.get(f"{p}.id", "").strip(), "kind": kind}
    if (at := spec_of(fields, f"{p}.at")) is not None:
        step["at"] = at
    for name in _TEXTS.get(kind, ()):
        _put(step, name, _languages(fields, f"{p}.{name}"))
    if kind == "poll":
        _put(step, "options", _languages(fields, f"{p}.options", lines=True))
        step["mode"] = fields.get(f"{p}.mode", "private")
    if kind == "training":
        step["cards"] = [card for j in range(slot.cards)
                         if (card := _texts_table(fields, f"{p}.cards[{j}]", ("text",)))]
        step["quiz"] = [q for k in range(slot.quiz) if (q := _question(fields, f"{p}.quiz[{k}]"))]
    if kind in ("poll", "training"):
        if (closes := spec_of(fields, f"{p}.closes")) is not None:
            step["closes"] = closes
        reminders = [spec_of(fields, f"{p}.reminders[{r}]") for r in range(slot.reminders)]
        if kept := [r for r in reminders if r is not None]:
            step["reminders"] = kept
    if kind == "results" and (of := fields.get(f"{p}.of", "").strip()):
        step["of"] = of
    if kind == "outcome":
        if poll := fields.get(f"{p}.poll", "").strip():
            step["poll"] = poll
        if ideas := _ideas(fields.get(f"{p}.ideas", "")):
            step["ideas"] = ideas
    for flag, default in _FLAGS.get(kind, {}).items():
        if (fields.get(f"{p}.{flag}") == CHECKED) != default:
            step[flag] = not default
    if kind != "results" and (actor := fields.get(f"{p}.actor", "").strip()):
        step["actor"] = actor
    if kind == "announcement" and (poll := fields.get(f"{p}.audience.poll", "").strip()):
        numbers = fields.get(f"{p}.audience.options", "").replace(",", " ").split()
        step["audience"] = {"poll": poll,
                            "options": [int(n) if n.isdigit() else n for n in numbers]}
    return step


def _ideas(text: str) -> bool | list[int | str] | None:
    """An outcome's ideas: "toutes" (or "true": each neighbourhood's accepted ideas), or
    their numbers; the loader judges what else is typed."""
    words = text.replace(",", " ").split()
    if not words:
        return None
    if len(words) == 1 and words[0].lower() in ("true", "toutes", "oui", "all"):
        return True
    return [int(w) if w.isdigit() else w for w in words]


def _question(fields: Mapping[str, str], p: str) -> dict[str, Any]:
    question = _texts_table(fields, p, ("question", "explanation"))
    _put(question, "options", _languages(fields, f"{p}.options", lines=True))
    correct = fields.get(f"{p}.correct", "").strip()
    if question and correct:
        question["correct"] = int(correct) if correct.isdigit() else correct
    return question


def _texts_table(fields: Mapping[str, str], p: str, names: Iterable[str]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name in names:
        _put(table, name, _languages(fields, f"{p}.{name}"))
    return table


def _languages(fields: Mapping[str, str], base: str, lines: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for language in LANGUAGES:
        text = fields.get(f"{base}.{language}", "").strip()
        if text:
            found[language] = [ln.strip() for ln in text.splitlines() if ln.strip()] \
                if lines else text
    return found


def _put(table: dict[str, Any], key: str, value: dict[str, Any]) -> None:
    if value:
        table[key] = value


def fields_of(scenario: Scenario) -> Fields:
    """The form showing ``scenario``."""
    data = scenario.model_dump(mode="json")
    fields: Fields = {key: str(data.get(key) or "") for key in
                      ("id", "title", "objective", "description", "every")}
    for index, step in enumerate(data["steps"]):
        fields.update(step_fields(step, f"steps[{index}]"))
    return fields


def step_fields(step: Mapping[str, Any], p: str) -> Fields:
    kind = step["kind"]
    fields: Fields = {f"{p}.kind": kind, f"{p}.id": step.get("id", "")}
    at = step.get("at")
    if kind == "results" and at == f"after {step.get('of')} closes":
        at = None  # the default: shown as "after the poll closes"
    if kind == "outcome" and at == (f"after {step['poll']} closes" if step.get("poll")
                                    else "+0"):
        at = None
    fields.update(choice_of(at, f"{p}.at"))
    for name in (*_TEXTS.get(kind, ()), "options"):
        fields.update(_language_fields(step.get(name), f"{p}.{name}"))
    for name in ("mode", "of", "actor", "poll"):
        if step.get(name):
            fields[f"{p}.{name}"] = str(step[name])
    if (ideas := step.get("ideas")) is not None:
        fields[f"{p}.ideas"] = "toutes" if ideas is True else ", ".join(str(n) for n in ideas)
    for flag in _FLAGS.get(kind, {}):
        if step.get(flag):
            fields[f"{p}.{flag}"] = CHECKED
    if audience := step.get("audience"):
        fields[f"{p}.audience.poll"] = audience["poll"]
        fields[f"{p}.audience.options"] = ", ".join(str(n) for n in audience["options"])
    if kind in ("poll", "training"):
        fields.update(choice_of(step.get("closes"), f"{p}.closes"))
        for r, spec in enumerate(step.get("reminders") or []):
            fields.update(choice_of(spec, f"{p}.reminders[{r}]"))
    for j, card in enumerate(step.get("cards") or []):
        fields.update(_language_fields(card["text"], f"{p}.cards[{j}].text"))
    for k, question in enumerate(step.get("quiz") or []):
        q = f"{p}.quiz[{k}]"
        for name in ("question", "options", "explanation"):
            fields.update(_language_fields(question[name], f"{q}.{name}"))
        fields[f"{q}.correct"] = str(question["correct"])
    return fields


def new_step(kind: str, index: int) -> Fields:
    """An empty step of ``kind`` (a known kind, or an announcement), sent at the start."""
    kind = kind if kind in STEP_KINDS else "announcement"
    p = f"steps[{index}]"
    fields: Fields = {f"{p}.kind": kind, f"{p}.id": f"{kind[:8]}-{index + 1}"}
    fields.update(choice_of(None if kind in _DEFAULT_TIME else "+0", f"{p}.at"))
    for flag, default in _FLAGS.get(kind, {}).items():
        if default:
            fields[f"{p}.{flag}"] = CHECKED
    if kind == "poll":
        fields.update(choice_of("+2d 18:00", f"{p}.closes"))
    return fields


def _language_fields(value: Any, base: str) -> Fields:
    if not isinstance(value, dict):
        return {}
    return {f"{base}.{lang}": "\n".join(text) if isinstance(text, list) else str(text)
            for lang, text in value.items()}


def without_step(fields: Mapping[str, str], index: int) -> Fields:
    """The form with step ``index`` removed and the later steps moved up."""
    kept: Fields = {}
    for key, value in fields.items():
        if not key.startswith("steps["):
            kept[key] = value
            continue
        number = int(key[6:key.index("]")])
        if number < index:
            kept[key] = value
        elif number > index:
            kept[f"steps[{number - 1}]{key[key.index(']') + 1:]}"] = value
    return kept
