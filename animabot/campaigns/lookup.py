"""A campaign named by its id or by any unique beginning of it: ids are long
(``jardin-partage-20261201-1800-3f2a``), facilitators type the start."""

from __future__ import annotations

from ..errors import CampaignError
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
        raise CampaignError(
            f"no campaign {given!r}: `animabot campaign list` shows the ids")
    raise CampaignError(
        f"{given!r} matches {len(matches)} campaigns; type more of the id: "
        + ", ".join(matches))
