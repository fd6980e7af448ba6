"""Find actors the way residents type: without accents, with typos, in a few words.

Everything is folded first (lower case, accents and punctuation removed), then each word of
the query is matched against the words of each field: the same word counts most, the start of
a word a bit less, a close spelling (``jardn`` for ``jardin``) less again. A word found in the
name weighs more than one found in the description, so "epicerie" lists the épicerie itself
before the associations that mention one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from ..domain.actor import MAX_ID, Actor, fold

DEFAULT_LIMIT = 5
FUZZY_RATIO = 0.8
FUZZY_MIN_LENGTH = 4
# Field weights: what a resident most likely means is the actor's name, then its tags.
NAME, TAGS, KIND, DESCRIPTION = 3.0, 2.0, 1.5, 1.0
EXACT, PREFIX, FUZZY = 1.0, 0.7, 0.5
PHRASE_BONUS = 1.0  # the whole query, in order, inside the name
# Little words that would otherwise match half the directory by prefix ("de" → "des").
STOPWORDS = frozenset({
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "un", "une",
    "pour", "sur", "the", "of", "and",
})
def words(text: str) -> list[str]:
    return fold(text).split()


def slug(text: str) -> str:
    """An id made from a name: ``"Épicerie solidaire"`` → ``"epicerie-solidaire"``."""
    return "-".join(words(text))[:MAX_ID].strip("-")


@dataclass(frozen=True)
class Hit:
    actor: Actor
    score: float


@lru_cache(maxsize=4096)
def _close(query_word: str, text_word: str) -> bool:
    if min(len(query_word), len(text_word)) < FUZZY_MIN_LENGTH:
        return False
    return SequenceMatcher(None, query_word, text_word).ratio() >= FUZZY_RATIO


def word_match(query_word: str, field_words: Sequence[str]) -> float:
    """How well one query word matches a field: exact, prefix, close spelling, or 0."""
    if query_word in field_words:
        return EXACT
    if any(w.startswith(query_word) for w in field_words):
        return PREFIX
    if any(_close(query_word, w) for w in field_words):
        return FUZZY
    return 0.0


def query_words(query: str) -> list[str]:
    """The words that count; little words only when the query has nothing else."""
    found = words(query)
    meaningful = [w for w in found if w not in STOPWORDS]
    return list(dict.fromkeys(meaningful or found))


def score(query: str, actor: Actor) -> float:
    """The sum over the query's words of their best weighted match in any field."""
    wanted = query_words(query)
    if not wanted:
        return 0.0
    fields = (
        (NAME, words(actor.name)),
        (TAGS, words(" ".join(actor.tags))),
        (KIND, words(actor.kind)),
        (DESCRIPTION, words(actor.description)),
    )
    total = sum(
        max(weight * word_match(word, field) for weight, field in fields) for word in wanted
    )
    if total > 0 and len(wanted) > 1 and f" {' '.join(wanted)} " in f" {fold(actor.name)} ":
        total += PHRASE_BONUS
    return round(total, 6)  # equal scores must compare equal for the tie-break


def rank(
    query: str, actors: Sequence[Actor], limit: int = DEFAULT_LIMIT,
    prefer: str | None = None,
) -> list[Hit]:
    """The best ``limit`` actors with a score above 0; on equal scores, actors of the
    ``prefer`` neighbourhood first, then by name."""
    hits = [Hit(actor, value) for actor in actors if (value := score(query, actor)) > 0]
    hits.sort(key=lambda h: (
        -h.score,
        prefer is None or h.actor.neighbourhood_id != prefer,
        fold(h.actor.name),
        h.actor.id,
    ))
    return hits[:limit]
