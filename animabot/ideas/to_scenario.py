"""Turn the accepted ideas into a consultation scenario (French TOML) the neighbourhood votes on.

The file is a draft for a facilitator: commented like the shipped scenarios, to be read,
adjusted, checked with ``animabot scenario check`` and started as any campaign.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import AnimabotError
from ..store.ideas import ACCEPTED, IdeaRecord

MIN_OPTIONS, MAX_OPTIONS = 2, 12  # a poll's bounds (scenario/model.py)
OPTION_LENGTH = 100
QUESTION_LENGTH = 300
DEFAULT_QUESTION = "Quelle idée des habitants faut-il réaliser en priorité ?"


class NotEnoughIdeasError(AnimabotError):
    """Fewer than two accepted ideas: there is nothing to choose between."""


@dataclass(frozen=True)
class Consultation:
    toml: str
    options: tuple[str, ...]
    left_out: int  # accepted ideas beyond the 12 most recent, not in the poll


def one_line(text: str) -> str:
    """Control characters and line breaks become single spaces: a poll option is one line."""
    spaced = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(spaced.split())


def option_label(text: str) -> str:
    flat = one_line(text)
    return flat if len(flat) <= OPTION_LENGTH else flat[: OPTION_LENGTH - 1].rstrip() + "…"


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, and ``one_line`` removed the rest."""
    return json.dumps(one_line(text), ensure_ascii=False)


def _choose(ideas: Sequence[IdeaRecord]) -> tuple[list[str], int]:
    """The labels of the most recent distinct accepted ideas, shown oldest first."""
    newest_first = sorted((i for i in ideas if i.status == ACCEPTED),
                          key=lambda i: (i.submitted_at, i.id), reverse=True)
    labels: list[str] = []
    seen: set[str] = set()
    for idea in newest_first:
        label = option_label(idea.text)
        if label and label.casefold() not in seen:  # twice the same idea: one option
            seen.add(label.casefold())
            labels.append(label)
    kept = labels[:MAX_OPTIONS]
    return kept[::-1], len(labels) - len(kept)


def consultation(
    ideas: Sequence[IdeaRecord], *, question: str | None = None,
    neighbourhood: tuple[str, str] | None = None,
) -> Consultation:
    """A scenario whose poll offers the accepted ideas; ``neighbourhood`` is (id, name)."""
    options, left_out = _choose(ideas)
    where = f" in neighbourhood {neighbourhood[0]}" if neighbourhood else ""
    if len(options) < MIN_OPTIONS:
        raise NotEnoughIdeasError(
            f"only {len(options)} accepted idea(s){where}: a poll needs at least {MIN_OPTIONS}. "
            "Accept more with /idees in the chat or `animabot ideas review ID --accept --as NAME`"
        )
    asked = one_line(question or DEFAULT_QUESTION)
    if not asked or len(asked) > QUESTION_LENGTH:
        raise AnimabotError(f"the question must have 1 to {QUESTION_LENGTH} characters")
    return Consultation(_render(options, left_out, asked, neighbourhood), tuple(options), left_out)


def _render(
    options: list[str], left_out: int, question: str, neighbourhood: tuple[str, str] | None
) -> str:
    scenario_id = f"idees-{neighbourhood[0]}"[:40] if neighbourhood else "idees-habitants"
    title = "Les idées des habitants" + (f" : {neighbourhood[1]}" if neighbourhood else "")
    note = (
        f"# {left_out} idée(s) acceptée(s) plus ancienne(s) ne figure(nt) pas ici : un sondage\n"
        f"# propose au plus {MAX_OPTIONS} choix. Remplacez-en si besoin.\n"
        if left_out else ""
    )
    announcement = (
        "Vous avez proposé vos idées pour le quartier avec la commande /idee : merci ! "
        f"Les animateurs en ont retenu {len(options)}. Demain soir, nous vous demanderons "
        "ici même laquelle réaliser en priorité."
    )
    listed = "".join(f"    {_string(option)},\n" for option in options)
    return f"""\
# =============================================================================
# Consultation : {one_line(title)}
# =============================================================================
#
# Créé par « animabot ideas to-scenario » à partir de {len(options)} idées d'habitants
# acceptées par les animateurs (au plus {MAX_OPTIONS}, les plus récentes).
{note}# Relisez ce fichier, corrigez-le si besoin (UTF-8), puis vérifiez-le :
#   animabot scenario check CE-FICHIER.toml
# Les heures sont relatives au lancement de la campagne (« +1d 18:00 » : le
# lendemain à 18h) ; voir scenarios/jardin-partage.toml pour la syntaxe complète.
# =============================================================================

id = {_string(scenario_id)}
title = {_string(title)}
objective = "Choisir avec les habitants les idées à réaliser en priorité"
description = "Idées proposées par les habitants avec /idee et retenues par les animateurs."

# --- Étape 1 : l'annonce, envoyée au lancement --------------------------------
[[steps]]
id = "annonce"
kind = "announcement"
at = "+0"
text.fr = {_string(announcement)}

# --- Étape 2 : le vote, ouvert cinq jours -------------------------------------
[[steps]]
id = "vote"
kind = "poll"
at = "+1d 18:00"                            # le lendemain du lancement, à 18h
closes = "+6d 18:00"                        # cinq jours plus tard
mode = "private"                            # chacun vote en privé auprès du bot
multiple = false                            # true : chacun peut choisir plusieurs idées
question.fr = {_string(question)}
options.fr = [
{listed}]
reminders = ["+5d 18:00"]                   # la veille de la clôture, à ceux qui n'ont pas voté
reminder_text.fr = "Il vous reste jusqu'à demain 18h pour choisir l'idée à réaliser en priorité."

# --- Étape 3 : les résultats ---------------------------------------------------
[[steps]]
id = "resultats"
kind = "results"
of = "vote"
at = "after vote closes"
text.fr = "Merci à toutes et à tous ! Voici les idées que le quartier préfère :"
"""
