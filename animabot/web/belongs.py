"""Whose a resident's idea or problem report is, when it names no neighbourhood.

One that names a neighbourhood is that neighbourhood's facilitators' (and its commune's).
One that names none is the whole commune's: with several communes, the commune whose own
bot received it (``telegram.bourg``: Bourg's), or, through the deployment's bot, the
deployment's alone. A facilitator held to some neighbourhoods never has those.
"""

from __future__ import annotations

from ..config import Settings
from ..config.communes import owns_row
from ..domain.access import Access, Principal


def reaches(settings: Settings, who: Principal, hood: str | None, platform: str) -> bool:
    """Whether ``who`` may see and act on something of ``hood`` received on ``platform``:
    the commune's part is :func:`owns_row`'s, as in chat and the CLI."""
    if hood:
        return who.may(Access.FACILITATE, frozenset({hood}))
    return (who.may(Access.FACILITATE) and not who.neighbourhoods
            and owns_row(settings, who, None, platform))
