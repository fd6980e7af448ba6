"""A campaign named by its id or by any unique beginning of it: ids are long
(``jardin-partage-20261201-1800-3f2a``), facilitators type the start."""

from __future__ import annotations

from ..errors import CampaignError
from ..i18n.lazy import lazy as _
from ..store.campaigns import CampaignRepository


async def resolve_campaign_id(campaigns: CampaignRepository, given: str) -> str:
    """The one campaign id equal to ``given`` or starting with it; an unknown or ambiguous
    prefix raises a :class:`CampaignError` that lists the ids to choose from."""
    if await campaigns.get(given) is not None:
        return given
    matches = [record.id for record in await campaigns.list() if record.id.startswith(given)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CampaignError(_(
            "no campaign {id!r}: `animabot campaign list` shows the ids", id=given))
    raise CampaignError(_(
        "{id!r} matches {count} campaigns; type more of the id: {ids}",
        id=given, count=len(matches), ids=", ".join(matches)))
