"""Whose a resident's idea or problem report is, when it names no neighbourhood.

One that names a neighbourhood is that neighbourhood's facilitators' (and its commune's).
One that names none is the whole commune's: with several communes, the commune whose own
bot received it (``telegram.bourg``: Bourg's), or, through the deployment's bot, the
deployment's alone. A facilitator held to some neighbourhoods never has those.
"""

from __future__ import annotations

from ..config import Settings
from ..config.communes import member_communes
from ..domain.access import Access, Principal
from ..domain.bots import commune_of_bot


def reaches(settings: Settings, who: Principal, hood: str | None, platform: str) -> bool:
    """Whether ``who`` may see and act on something of ``hood`` received on ``platform``."""
    if hood:
        return who.may(Access.FACILITATE, frozenset({hood}))
    if who.commune is None:
        return who.may(Access.FACILITATE, frozenset())
    commune = commune_of_bot(platform)
    return (who.may(Access.FACILITATE) and not who.neighbourhoods and commune is not None
            and commune in member_communes(settings, who.commune))
