"""Every campaign at a glance, and one neighbourhood across campaigns (the trend an agent
needs to judge the effects of the approach). Suppressed like every other figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain.lifecycle import campaign_status
from ..errors import CampaignError
from ..i18n.lazy import lazy as _
from ..scenario.model import Poll, Training
from ..scenario.snapshot import scenario_of
from ..store.campaigns import CampaignRecord
from ..store.database import Database
from ..store.statistics import ArchivedCounts, TrainingCounts
from ..store.stores import Stores, stores_of
from .campaign import (
    CampaignFigures,
    campaign_figures,
    response_rate,
    shown_respondents,
    training_figures,
)
from .suppression import Cell
from .tally import PollTally


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
    source: Database | Stores, min_cell: int, language: str = "fr"
) -> list[CampaignSummary]:
    """Every campaign, oldest first: the same figures as each campaign's page, read for all
    campaigns at once with one aggregate per table (no query per campaign), so the cost
    follows the answers read, not the number of campaigns."""
    stores = stores_of(source)
    records = await stores.campaigns.list()
    firsts = [_first_steps(record) for record in records]
    polls = [(r.id, poll.id) for r, (poll, _) in zip(records, firsts, strict=True) if poll]
    trainings = [(r.id, t.id) for r, (_poll, t) in zip(records, firsts, strict=True) if t]
    queries = stores.statistics
    statuses = await queries.status_counts_all()
    reach = await queries.poll_reach_of(polls)
    choices = await queries.choices_of(polls)
    native = await queries.native_tallies_of(polls)
    archived = await queries.archived_of(polls)
    paper = await stores.paper.grouped_of(polls)
    completions = await queries.trainings_of(trainings)
    summaries = []
    for record, (poll, training) in zip(records, firsts, strict=True):
        status = campaign_status(record.status, statuses.get(record.id, {}))
        poll_reach: int | None = None
        respondents: Cell = None
        rate = completion = None
        if poll is not None:
            key = (record.id, poll.id)
            tally = _tally(len(poll.options["fr"]), choices.get(key, []), native.get(key, []),
                           archived.get(key, []), paper.get(key, []))
            sent = reach.get(key)
            poll_reach = sent.reach if sent else None
            respondents = shown_respondents(tally, min_cell).total
            rate = response_rate(tally.respondents, poll_reach, respondents)
        if training is not None:
            counts = completions.get((record.id, training.id), TrainingCounts())
            completion = training_figures(training, counts, min_cell, language).completion_rate
        summaries.append(CampaignSummary(
            id=record.id, title=record.title, scenario_id=record.scenario_id, status=status,
            start_at=record.start_at, neighbourhoods=record.targets, reach=poll_reach,
            respondents=respondents, response_rate=rate, completion_rate=completion))
    return summaries


def _first_steps(record: CampaignRecord) -> tuple[Poll | None, Training | None]:
    steps = scenario_of(record).steps
    poll = next((step for step in steps if isinstance(step, Poll)), None)
    training = next((step for step in steps if isinstance(step, Training)), None)
    return poll, training


def _tally(
    size: int, choices: list[tuple[tuple[int, ...], int]],
    native: list[tuple[tuple[int, ...], int]], archived: list[ArchivedCounts],
    paper: Sequence[tuple[int, int]] = (),
) -> PollTally:
    """The option counts and respondents of :func:`tally_poll`, from the grouped rows."""
    tally = PollTally([0] * size)
    for chosen, count in choices:
        for choice in set(chosen):  # as tally_poll: a choice counts once per answer
            tally.counts[choice] += count
        tally.respondents += count
    for counts, voters in native:
        for index, count in enumerate(counts[:size]):
            tally.counts[index] += count
        tally.respondents += voters
    for archive in archived:
        for index in range(size):
            tally.counts[index] += archive.counts.get(index, 0)
        tally.respondents += archive.respondents
    for choice, count in paper:  # one choice per paper answer
        if 0 <= choice < size:
            tally.counts[choice] += count
            tally.respondents += count
    return tally


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
    source: Database | Stores, hood_id: str, min_cell: int, language: str = "fr"
) -> NeighbourhoodFigures:
    stores = stores_of(source)
    names = await stores.statistics.neighbourhood_names()
    if hood_id not in names:
        raise CampaignError(_("no neighbourhood {id!r}; known: {known}", id=hood_id,
                              known=", ".join(names) or _("none")))
    chats = await stores.statistics.active_chats(hood_id)
    private_count = await stores.statistics.residents_in_private(hood_id)
    campaigns = []
    for record in await stores.campaigns.list():
        if hood_id not in record.targets:
            continue
        figures = await campaign_figures(stores, record.id, min_cell, language)
        share = figures.polls[0].neighbourhoods.get(hood_id) if figures.polls else None
        campaigns.append(NeighbourhoodCampaign(
            record.id, record.title, record.start_at,
            share.reach if share else None, share.respondents if share else None,
            share.response_rate if share else None))
    return NeighbourhoodFigures(
        id=hood_id, name=names[hood_id], chats=chats,
        residents_in_private=None if 0 < private_count < min_cell else private_count,
        campaigns=campaigns,
    )
