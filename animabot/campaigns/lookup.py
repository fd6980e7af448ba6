"""A campaign named by its id or by any unique beginning of it: ids are long
(``jardin-partage-20261201-1800-3f2a``), facilitators type the start."""

from __future__ import annotations

from collections.abc import Iterable

from ..domain.access import Access, Principal
from ..errors import CampaignError
from ..i18n.lazy import lazy as _
from ..store.campaigns import CampaignRepository


def reaches(who: Principal | None, targets: Iterable[str]) -> bool:
    """Whether ``who`` may see a campaign (or series) sent to ``targets`` (anyone when None):
    within a commune, one all of whose neighbourhoods are the commune's (an intercommunal
    one is not)."""
    return who is None or who.may(Access.READ, tuple(targets))


async def resolve_campaign_id(campaigns: CampaignRepository, given: str,
                              within: Principal | None = None) -> str:
    """The one campaign id equal to ``given`` or starting with it; an unknown or ambiguous
    prefix raises a :class:`CampaignError` that lists the ids to choose from. With
    ``within``, only the campaigns that principal may see count: another commune's is
    not found (and never makes a prefix ambiguous)."""
    exact = await campaigns.get(given)
    if exact is not None and reaches(within, exact.targets):
        return given
    matches = [record.id for record in await campaigns.list()
               if record.id.startswith(given) and reaches(within, record.targets)]
    if len(matches) == 1:
        return matches[0]
    if not matches and within is not None and within.commune is not None:
        raise CampaignError(_(
            "no campaign {id!r} in commune {commune}: `animabot --commune {commune} campaign "
            "list` shows its ids", id=given, commune=within.commune))
    if not matches:
        raise CampaignError(_(
            "no campaign {id!r}: `animabot campaign list` shows the ids", id=given))
    raise CampaignError(_(
        "{id!r} matches {count} campaigns; type more of the id: {ids}",
        id=given, count=len(matches), ids=", ".join(matches)))
