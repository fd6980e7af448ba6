"""Where a chat command acts: a commune's own bot (``telegram.bourg``) acts within its
commune only, the deployment's bot (``telegram``) for the whole deployment.

A facilitator of a commune writes to their commune's bot (its ``[communes.<id>.facilitators]``
are that bot's): they see and act on its neighbourhoods, campaigns, ideas and reports, never
another commune's, and a campaign reaching beyond the commune (an intercommunal one) is not
theirs. The rule is :class:`~animabot.domain.access.Principal`'s, the web's and the CLI's:
this module only says who is asking. Residents of a commune's bot choose among its
neighbourhoods.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..campaigns.service import no_campaign, unknown_neighbourhoods
from ..config.communes import expand_targets, owns_row, scope_principal
from ..domain.access import Access, Origin, Principal, Role
from ..domain.bots import commune_of_bot
from ..store.campaigns import CampaignRecord
from .context import Turn


def commune(turn: Turn) -> str | None:
    """The commune whose own bot this turn came through; None: the deployment's bot."""
    return commune_of_bot(turn.event.chat.platform)


def principal(turn: Turn) -> Principal:
    """The one writing, as the access rule sees a facilitator of this bot: the whole of its
    commune (a group admin is held to their group besides, by the command's own check)."""
    asking = Principal(turn.pseudonym, Role.FACILITATOR, Origin.CHAT, commune=commune(turn))
    return scope_principal(turn.services.settings, asking)


def reaches(turn: Turn, about: str | Iterable[str]) -> bool:
    """Whether this bot's facilitator may act on what concerns these neighbourhoods (a
    campaign's targets: all of them must be in the commune)."""
    return principal(turn).may(Access.FACILITATE, about)


def owns(turn: Turn, neighbourhood_id: str | None, bot: str) -> bool:
    """Whether an idea or a report (its neighbourhood, the bot it came through) is this
    bot's commune's: one without a neighbourhood is the commune's whose bot took it."""
    return owns_row(turn.services.settings, principal(turn), neighbourhood_id, bot)


async def neighbourhoods(turn: Turn) -> dict[str, str]:
    """The neighbourhoods (id → name) this bot offers: its commune's, or all of them."""
    return principal(turn).covered(await turn.services.chats.neighbourhoods())


async def targets_here(turn: Turn, text: str) -> list[str]:
    """``centre,gare`` or a commune's id as neighbourhood ids, refused when one is beyond
    this bot's commune (told as unknown, with the commune's own neighbourhoods)."""
    wanted = expand_targets(turn.services.settings, text.split(","))
    beyond = principal(turn).uncovered(wanted)
    if beyond:
        raise unknown_neighbourhoods(beyond, list(await neighbourhoods(turn)))
    return wanted


async def campaign_here(turn: Turn, campaign_id: str) -> CampaignRecord:
    """A campaign this bot's facilitators may act on; another commune's is unknown here."""
    record = await turn.services.campaigns.get(campaign_id)
    if not reaches(turn, record.targets):
        raise no_campaign(campaign_id)
    return record
