"""Who receives a follow-up aimed by answer. Pure: the poll's latest answers in, recipients out.

The audience is resolved when the follow-up is due, from the answers as they stand then (a
resident may change their vote until the poll closes). Nobody but the recipient learns they
were chosen: each gets a private message, the facilitator sees only suppressed counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..scenario.model import Audience


@dataclass(frozen=True)
class Respondent:
    """One resident's latest answer to the poll, as loaded from the store.

    ``choices`` are 0-based option indexes; ``reachable`` says the bot may write to them
    privately (consent given, no ``/stop``, a private chat known); ``tag`` names them in keys.
    """

    pseudonym: str
    tag: str
    choices: tuple[int, ...]
    reachable: bool


@dataclass(frozen=True)
class FollowUpAudience:
    """The chosen residents, split into those the bot can write to and the rest."""

    reach: tuple[Respondent, ...]
    unreachable: tuple[Respondent, ...]


def chose_any(respondent: Respondent, audience: Audience) -> bool:
    """Whether the answer holds one of the options (numbered from 1 in the scenario)."""
    wanted = {option - 1 for option in audience.options}
    return not wanted.isdisjoint(respondent.choices)


def follow_up_audience(audience: Audience, answers: Sequence[Respondent]) -> FollowUpAudience:
    """The residents whose answer holds one of ``audience.options``, each once."""
    chosen: dict[str, Respondent] = {}
    for respondent in answers:
        if chose_any(respondent, audience):
            chosen.setdefault(respondent.pseudonym, respondent)
    ordered = sorted(chosen.values(), key=lambda r: r.tag)
    return FollowUpAudience(
        reach=tuple(r for r in ordered if r.reachable),
        unreachable=tuple(r for r in ordered if not r.reachable),
    )
