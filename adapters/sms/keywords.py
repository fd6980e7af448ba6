"""What a resident's SMS says: a number (an answer), STOP, AIDE, SIGNALER, DONNEES (what is kept),
OUBLI (erase it, then OUBLI and the code received to confirm), or something else.

Pure. Residents type on a phone keyboard: case, accents, spaces, a final dot or an
exclamation mark, and "STOP SMS" as French operators print it, all count as the same word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

STOP_WORDS = frozenset({
    "stop", "stop sms", "stopsms", "arret", "arret sms", "arreter", "arretez", "stopper",
    "desabonner", "desabonnement", "desinscrire", "desinscription", "unsubscribe", "end",
    "quit", "cancel", "stop all", "stopall",
})
HELP_WORDS = frozenset({"aide", "help", "info", "infos", "?"})
# The core answers with the link of the resident's report page (a form: photo, place).
REPORT_WORDS = frozenset({"signaler", "signalement", "report"})
DATA_WORDS = frozenset({"donnees", "mes donnees", "mesdonnees", "data", "my data", "mydata"})
FORGET_WORDS = frozenset({"oubli", "oublier", "oubliez", "effacer", "effacez", "forget",
                          "erase"})
CONFIRM_WORDS = frozenset({"oui", "yes", "ok"})  # "OUI 123456" confirms as "OUBLI 123456"
ENGLISH_WORDS = frozenset({"help", "unsubscribe", "end", "quit", "cancel", "stop all",
                           "stopall", "report", "data", "my data", "mydata", "forget",
                           "erase", "yes"})
_CODE = re.compile(r"^(?P<word>[a-z ]+?)\s*(?P<code>\d{6})$")
_NUMBER = re.compile(r"^(?:n°|no|#|reponse|choix|option)?\s*(\d{1,2})$")
_EDGES = " \t\r\n.!?,;:-_*'\"()[]"


class Intent(StrEnum):
    ANSWER = "answer"
    STOP = "stop"
    HELP = "help"
    REPORT = "report"
    DATA = "data"  # /mesdonnees
    FORGET = "forget"  # /oubli; with ``code``, its confirmation
    OTHER = "other"


@dataclass(frozen=True)
class Reading:
    """``number`` is set for an answer (1-based), ``code`` for an erasure's confirmation;
    ``english`` when the word was English."""

    intent: Intent
    number: int | None = None
    english: bool = False
    code: str | None = None


def folded(text: str) -> str:
    """Lower case, accents removed, inner spaces collapsed, edge punctuation stripped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = " ".join(bare.split()).strip(_EDGES)
    return bare if bare else text.strip()


def read(text: str) -> Reading:
    word = folded(text)
    if word in STOP_WORDS:
        return Reading(Intent.STOP, english=word in ENGLISH_WORDS)
    if word in HELP_WORDS:
        return Reading(Intent.HELP, english=word in ENGLISH_WORDS)
    if word in REPORT_WORDS:
        return Reading(Intent.REPORT, english=word in ENGLISH_WORDS)
    if word in DATA_WORDS:
        return Reading(Intent.DATA, english=word in ENGLISH_WORDS)
    if word in FORGET_WORDS:
        return Reading(Intent.FORGET, english=word in ENGLISH_WORDS)
    coded = _CODE.match(word)
    if coded and coded.group("word").strip() in FORGET_WORDS | CONFIRM_WORDS:
        said = coded.group("word").strip()
        return Reading(Intent.FORGET, english=said in ENGLISH_WORDS, code=coded.group("code"))
    match = _NUMBER.match(word)
    if match and int(match.group(1)) >= 1:
        return Reading(Intent.ANSWER, int(match.group(1)))
    return Reading(Intent.OTHER)
