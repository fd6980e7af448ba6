"""What a command run as a commune (``--commune``) may reach, by the principal
:func:`~animabot.cli.common.operator` builds: neighbourhoods it ``covers``, campaigns it
``may`` see. Without ``--commune`` that principal covers everything, so these let all pass."""

from __future__ import annotations

from collections.abc import Iterable

from ..domain.access import Principal
from ..errors import CampaignError
from ..i18n.lazy import lazy as _


def refuse_outside(who: Principal, hoods: Iterable[str]) -> None:
    """A :class:`CampaignError` naming the neighbourhoods beyond the commune, if any."""
    beyond = who.uncovered(hoods)
    if beyond:
        raise CampaignError(_(
            "{hoods}: not in commune {commune}; its neighbourhoods: {known}",
            hoods=", ".join(beyond), commune=who.commune,
            known=", ".join(sorted(who.commune_hoods or ())) or "—"))
