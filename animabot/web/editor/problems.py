"""Each problem the loader finds, placed beside the form field it is about.

The loader names a problem's place as a field path (``steps[1].options.fr[2]``); the form's
fields carry the same names, so the nearest field at or above that path is the one to mark:
an option's line marks the options box, a missing ``text`` its French box, a time its
chooser. What has no field (the file as a whole) is shown above the form only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ...errors import Problem
from ...i18n import translator
from ...i18n.lazy import render
from ...scenario.explain import field_path, parse_field_path

GENERAL = ""  # the key of problems about the scenario as a whole
_SUFFIXES = ("", ".fr", ".mode")


_NAMES = {
    "id": "identifiant", "title": "titre", "objective": "objectif", "every": "récurrence",
    "description": "description", "steps": "étapes", "at": "quand", "text": "texte",
    "question": "question", "options": "réponses possibles", "closes": "clôture",
    "reminder_text": "texte de la relance", "intro": "introduction", "of": "sondage",
    "correct": "bonne réponse", "explanation": "explication", "actor": "acteur",
    "audience": "destinataires", "poll": "sondage", "overall": "résultats de tous",
    "per_neighbourhood": "résultats par quartier", "mode": "", "fr": "(français)",
    "en": "(anglais)",
}
_COUNTED = {"steps": "étape", "reminders": "relance", "cards": "fiche",
            "quiz": "question de quiz"}


def label_of(key: str) -> str:
    """A field's name as the form shows it: ``steps[0].options.en`` → « étape 1, réponses
    possibles (anglais) »."""
    words: list[str] = []
    loc = parse_field_path(key)
    for position, part in enumerate(loc):
        if isinstance(part, int):
            continue
        following = loc[position + 1] if position + 1 < len(loc) else None
        if isinstance(following, int) and part in _COUNTED:
            words.append(f"{_COUNTED[part]} {following + 1}")
        elif word := _NAMES.get(part, part):
            words.append(word)
    return ", ".join(words).replace(", (", " (")


@dataclass(frozen=True)
class FieldProblem:
    key: str  # the form field it is shown beside (GENERAL: none)
    message: str
    fix: str

    @property
    def label(self) -> str:
        return label_of(self.key)


def place(problems: Iterable[Problem], names: Collection[str], language: str = "fr"
          ) -> dict[str, list[FieldProblem]]:
    """Problems by the field they are shown beside, worded in ``language``; ``names`` are
    the form's fields."""
    _ = translator(language)
    placed: dict[str, list[FieldProblem]] = {}
    for problem in problems:
        key = field_for(problem.field, names)
        placed.setdefault(key, []).append(
            FieldProblem(key, render(problem.message, _), render(problem.fix, _)))
    return placed


def field_for(path: str, names: Collection[str]) -> str:
    """The nearest field at or above ``path`` (a chooser by its ``.mode``)."""
    loc = parse_field_path(path) if path else ()
    while loc:
        base = field_path(loc)
        for suffix in _SUFFIXES:
            if base + suffix in names:
                return base + suffix
        loc = loc[:-1]
    return GENERAL
