"""Every configuration key acts: a documented key that nothing reads would let a user change
a setting and see no effect (``[delivery] global_per_second`` once did exactly that).

The check is textual, so it is a net, not a proof: a key counts as read when a source file
reads an attribute of that name (``.key``, or ``"key"`` for ``getattr``) and also reaches its
section (``settings.delivery``, ``getattr(settings, "delivery")``; an adapter's folder reaches
its own section), import paths aside.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from animabot.config import settings_class

ROOT = Path(__file__).resolve().parents[2]


def _sources() -> dict[Path, str]:
    files = [*(ROOT / "animabot").rglob("*.py"), *(ROOT / "adapters").rglob("*.py")]
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    # The config package is read as one text, as config.py was; its field declarations are
    # not reads.
    package = ROOT / "animabot" / "config"
    whole = "\n".join(texts.pop(path) for path in sorted(package.glob("*.py")))
    texts[package] = re.sub(r"(?m)^    \w+: .*$", "", whole)
    return texts


def _model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _keys() -> list[tuple[str, str]]:
    keys = []
    for section, field in settings_class().model_fields.items():  # adapters' tables too
        model = _model(field.annotation)
        assert model is not None, section
        keys += [(section, key) for key in model.model_fields]
    return keys


def _read(section: str, key: str, sources: dict[Path, str]) -> bool:
    reaches = re.compile(rf'\.{section}\b(?![.\w]* import)|"{section}"|\b{section}\[')
    reads = re.compile(rf'\.{key}\b(?![.\w]* import)|"{key}"')
    return any((reaches.search(text) or path.is_relative_to(ROOT / "adapters" / section))
               and reads.search(text)
               for path, text in sources.items())


def test_every_settings_key_is_read_somewhere() -> None:
    sources = _sources()
    unread = [f"[{s}] {k}" for s, k in _keys() if not _read(s, k, sources)]
    assert not unread, f"keys nothing reads (make them act, or remove them): {unread}"


def test_every_key_of_the_example_is_a_settings_key() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    known = set(_keys())
    for section, table in example.items():
        for entry in table if isinstance(table, list) else [table]:
            assert {(section, key) for key in entry} <= known, section
