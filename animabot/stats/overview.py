"""Every campaign at a glance, and one neighbourhood across campaigns (the trend an agent
needs to judge the effects of the approach). Suppressed like every other figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..errors import CampaignError
from ..store.campaigns import CampaignRepository
from ..store.database import Database
from .campaign import CampaignFigures, campaign_figures
from .suppression import Cell


@dataclass(frozen=True)
class CampaignSummary:
    id: str
    title: str
    scenario_id: str
    status: str
    start_at: datetime
    neighbourhoods: tuple[str, ...]
    reach: int | None  # of the campaign's first poll
    respondents: Cell
    response_rate: float | None
    completion_rate: float | None  # of its first training


def summarise(figures: CampaignFigures) -> CampaignSummary:
    poll = figures.polls[0] if figures.polls else None
    training = figures.trainings[0] if figures.trainings else None
    return CampaignSummary(
        id=figures.id, title=figures.title, scenario_id=figures.scenario_id,
        status=figures.status, start_at=figures.start_at, neighbourhoods=figures.targets,
        reach=poll.reach if poll else None,
        respondents=poll.respondents if poll else None,
        response_rate=poll.response_rate if poll else None,
        completion_rate=training.completion_rate if training else None,
    )


async def overview(
    database: Database, min_cell: int, language: str = "fr"
) -> list[CampaignSummary]:
    """Every campaign, oldest first."""
    records = await CampaignRepository(database).list()
    return [summarise(await campaign_figures(database, r.id, min_cell, language)) for r in records]


@dataclass(frozen=True)
class NeighbourhoodCampaign:
    id: str
    title: str
    start_at: datetime
    reach: int | None
    respondents: Cell
    response_rate: float | None


@dataclass(frozen=True)
class NeighbourhoodFigures:
    id: str
    name: str
    chats: dict[str, int]  # platform → active chats
    residents_in_private: Cell  # residents who chose it and can be written to privately
    campaigns: list[NeighbourhoodCampaign]  # oldest first: the trend


async def neighbourhood_figures(
    database: Database, hood_id: str, min_cell: int, language: str = "fr"
) -> NeighbourhoodFigures:
    name_row = await database.fetch_one("SELECT name FROM neighbourhood WHERE id = ?", (hood_id,))
    if name_row is None:
        known = [r["id"] for r in await database.fetch_all("SELECT id FROM neighbourhood")]
        raise CampaignError(f"no neighbourhood {hood_id!r}; known: {', '.join(known) or 'none'}")
    chats = await database.fetch_all(
        "SELECT platform, COUNT(*) AS n FROM chat WHERE neighbourhood_id = ? AND active = 1"
        " GROUP BY platform ORDER BY platform", (hood_id,))
    private = await database.fetch_one(
        "SELECT COUNT(*) AS n FROM resident r JOIN address_book a USING (pseudonym)"
        " WHERE r.neighbourhood_id = ? AND r.consent_at IS NOT NULL AND r.opted_out = 0",
        (hood_id,))
    private_count = int(private["n"]) if private else 0
    campaigns = []
    for record in await CampaignRepository(database).list():
        if hood_id not in record.targets:
            continue
        figures = await campaign_figures(database, record.id, min_cell, language)
        share = figures.polls[0].neighbourhoods.get(hood_id) if figures.polls else None
        campaigns.append(NeighbourhoodCampaign(
            record.id, record.title, record.start_at,
            share.reach if share else None, share.respondents if share else None,
            share.response_rate if share else None))
    return NeighbourhoodFigures(
        id=hood_id, name=str(name_row["name"]), chats={r["platform"]: r["n"] for r in chats},
        residents_in_private=None if 0 < private_count < min_cell else private_count,
        campaigns=campaigns,
    )
