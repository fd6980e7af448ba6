"""The actions carried by buttons, encoded short (Telegram allows 64 bytes) and signed.

``v.<delivery>.<option>``         vote on the poll sent as that delivery
``t.<delivery>.<card>``           show training card (1-based; past the last: the quiz)
``q.<delivery>.<question>.<opt>`` answer a quiz question
``p.<delivery>``                 a poll's answer page (personal links only: e-mail, SMS)
``u``                            unsubscribe (personal links only)
``c.y`` consent · ``l.<lang>`` language · ``h.<neighbourhood>`` choose one
``e.y`` / ``e.n``                erase my data / keep it (the two answers to /oubli)
``i.<idea>.a`` / ``i.<idea>.r``  a facilitator accepts or rejects a resident's idea
``r.<category>`` · ``rs`` · ``rx`` a problem report: its category, send it, cancel it
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    verb: str
    args: tuple[str, ...]

    def encode(self) -> str:
        return ".".join((self.verb, *self.args))

    def int_arg(self, index: int) -> int:
        return int(self.args[index])


ERASE_YES, ERASE_NO = "y", "n"
# Actions that name a delivery: only valid on the message sent for that delivery's step.
DELIVERY_VERBS = ("v", "t", "q")
ARITY = {"v": 2, "t": 2, "q": 3, "c": 1, "l": 1, "h": 1, "e": 1, "i": 2, "p": 1, "u": 0,
         "r": 1, "rs": 0, "rx": 0}


def vote(delivery_id: int, option: int) -> Action:
    return Action("v", (str(delivery_id), str(option)))


def card(delivery_id: int, number: int) -> Action:
    return Action("t", (str(delivery_id), str(number)))


def page(delivery_id: int) -> Action:
    return Action("p", (str(delivery_id),))


def quiz(delivery_id: int, question: int, option: int) -> Action:
    return Action("q", (str(delivery_id), str(question), str(option)))


def _number(text: str) -> bool:
    """ASCII digits that fit SQLite's integers (``"²".isdigit()`` is true, ``int("²")`` fails)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def decode(text: str) -> Action | None:
    """Parse a verified action; ``None`` if malformed, never an exception."""
    verb, *args = text.split(".")
    if ARITY.get(verb) != len(args):
        return None
    if verb in ("v", "t", "q", "p") and not all(_number(a) for a in args):
        return None
    if verb == "i" and not (_number(args[0]) and args[1] in ("a", "r")):
        return None
    return Action(verb, tuple(args))
