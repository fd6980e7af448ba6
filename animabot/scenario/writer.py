"""Write a scenario as a TOML file the loader reads back to the same scenario.

The back-office saves what a facilitator typed in forms through here, so the files stay the
format: ``animabot scenario check`` and ``campaign start`` accept every scenario the editor
saves. Language tables are written as dotted keys (``question.fr = …``), cards and quiz
questions as ``[[steps.cards]]`` and ``[[steps.quiz]]`` after their step's own keys.
"""

from __future__ import annotations

import json
from typing import Any

from .model import Scenario

_FIRST = ("id", "kind", "at")
_NESTED = ("cards", "quiz")


def scenario_to_toml(scenario: Scenario) -> str:
    """The TOML text of ``scenario`` (defaults left out, ``at`` of results kept)."""
    return data_to_toml(scenario.model_dump(mode="json", exclude_defaults=True))


def data_to_toml(data: dict[str, Any]) -> str:
    """The TOML text of a scenario's data, checked or not (the loader judges it)."""
    lines = [line for key, value in data.items() if key != "steps"
             for line in _pairs(key, value)]
    for step in data.get("steps", []):
        lines += ["", "[[steps]]"]
        lines += [line for key in _ordered(step) if key not in _NESTED
                  for line in _pairs(key, step[key])]
        for nested in _NESTED:
            for item in step.get(nested, []):
                lines += ["", f"[[steps.{nested}]]"]
                lines += [line for key, value in item.items() for line in _pairs(key, value)]
    return "\n".join(lines) + "\n"


def _ordered(step: dict[str, Any]) -> list[str]:
    return [k for k in _FIRST if k in step] + [k for k in step if k not in _FIRST]


def _pairs(key: str, value: Any) -> list[str]:
    """``key = value``; a table of languages (or any table of simple values) as dotted keys."""
    if isinstance(value, dict) and all(not isinstance(v, dict) for v in value.values()) \
            and key != "audience":
        return [f"{key}.{sub} = {_value(v)}" for sub, v in value.items()]
    return [f"{key} = {_value(value)}"]


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, DEL aside."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
