"""A campaign's figures: reach, respondents, response rate, answers per option, answers after
reminders, training completion and quiz success; every count that could single someone out
is suppressed before it leaves this module."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime

from ..domain.lifecycle import CampaignStatus, campaign_status
from ..errors import CampaignError
from ..i18n.lazy import lazy as _
from ..scenario.model import Poll, Training, pick
from ..scenario.snapshot import scenario_of
from ..scenario.timeline import CLOSE
from ..store.database import Database
from ..store.deliveries import FINAL_STATUSES
from ..store.paper_answers import PAPER
from ..store.statistics import TrainingCounts
from ..store.stores import Stores, stores_of
from .breakdown import ShareFigures, split_poll
from .neighbourhoods import tally_by_neighbourhood
from .series import AnswerTimes, answer_times
from .suppression import Cell, SuppressedCounts, is_small, suppress_counts
from .tally import PollTally, tally_poll

HOUR = "%Y-%m-%dT%H:00Z"  # exports are never finer than the hour


def _cell(count: int, min_cell: int) -> Cell:
    return None if is_small(count, min_cell) else count


@dataclass(frozen=True)
class PollFigures:
    step_id: str
    question: str
    options: list[str]
    answers: SuppressedCounts
    reach: int | None  # members of the target chats when the poll was sent
    chats: int
    respondents: Cell
    response_rate: float | None
    reminded: Cell  # residents reminded privately
    after_reminder: Cell
    median_hours_to_answer: float | None
    quartiles_hours: tuple[float, float] | None
    platforms: dict[str, ShareFigures]
    neighbourhoods: dict[str, ShareFigures]
    times: AnswerTimes
    results_hidden: bool = False  # ``live_results = false`` and still open: no option count


@dataclass(frozen=True)
class TrainingFigures:
    step_id: str
    title: str
    started: Cell
    completed: Cell
    completion_rate: float | None
    quiz_success_rate: float | None


@dataclass(frozen=True)
class CampaignFigures:
    id: str
    title: str
    scenario_id: str
    status: CampaignStatus
    start_at: datetime
    targets: tuple[str, ...]
    deliveries: dict[str, int]  # group messages per status (never private ones)
    polls: list[PollFigures]
    trainings: list[TrainingFigures]
    min_cell: int
    neighbourhood_names: dict[str, str]


async def campaign_figures(
    source: Database | Stores, campaign_id: str, min_cell: int, language: str = "fr"
) -> CampaignFigures:
    stores = stores_of(source)
    record = await stores.campaigns.get(campaign_id)
    if record is None:
        raise CampaignError(_("no campaign {id!r}: `animabot campaign list` shows the ids",
                              id=campaign_id))
    scenario = scenario_of(record)
    polls, trainings = [], []
    for step in scenario.steps:
        if isinstance(step, Poll):
            polls.append(await _poll(stores, record.id, step, min_cell, language,
                                     scenario.per_neighbourhood_results(step.id)))
        elif isinstance(step, Training):
            done = await stores.statistics.training(record.id, step.id)
            trainings.append(training_figures(step, done, min_cell, language))
    deliveries = stores.deliveries
    counts = await deliveries.status_counts(record.id, chats_only=True)
    status = campaign_status(record.status, await deliveries.status_counts(record.id))
    return CampaignFigures(
        id=record.id, title=record.title, scenario_id=record.scenario_id,
        status=status, start_at=record.start_at,
        targets=record.targets, deliveries=counts, polls=polls, trainings=trainings,
        min_cell=min_cell, neighbourhood_names=await stores.statistics.neighbourhood_names(),
    )


def shown_respondents(tally: PollTally, min_cell: int) -> SuppressedCounts:
    """The answers per option and the respondents, suppressed as one line (the respondents
    are the answers' total)."""
    return suppress_counts(tally.counts, min_cell, total=tally.respondents)


def response_rate(respondents: int, reach: int | None, shown: Cell) -> float | None:
    return round(respondents / reach, 3) if reach and shown is not None else None


async def poll_closed(stores: Stores, campaign_id: str, step_id: str) -> bool:
    """Whether the poll has closed in every chat (its closing rows are all done)."""
    rows = await stores.deliveries.find(campaign_id, step_id, CLOSE)
    return all(row.status in FINAL_STATUSES for row in rows)


async def _poll(
    stores: Stores, campaign_id: str, poll: Poll, min_cell: int, language: str,
    per_neighbourhood: bool = False,
) -> PollFigures:
    queries = stores.statistics
    sent = await queries.poll_reach(campaign_id, poll.id)
    reach = sent.reach
    # The two reads over every answer run side by side (two connections, two threads).
    tally, times = await asyncio.gather(
        tally_poll(stores, campaign_id, poll),
        answer_times(queries, campaign_id, poll.id, min_cell, sent.first_sent),
    )
    platforms = await split_poll(queries, campaign_id, poll.id, tally, min_cell, "platform")
    hoods = await split_poll(queries, campaign_id, poll.id, tally, min_cell, "neighbourhood")
    reminded = await queries.reminded(campaign_id, poll.id)
    respondents = tally.respondents
    suppressed = shown_respondents(tally, min_cell)
    if per_neighbourhood:
        # Residents see each neighbourhood's own line: every figure here must be one those
        # lines give away already (stats.neighbourhoods), or a difference would reveal one.
        split = tally_by_neighbourhood(tally, min_cell)
        suppressed = split.overall
        hoods = {name: _own_share(share, split.rows[name].total, tally.by_neighbourhood[name])
                 if name in split.rows else share for name, share in hoods.items()}
        if split.overall.total is None:
            # A neighbourhood's respondents are hidden: whatever adds up to all the
            # respondents (platforms, phases, the curve's last point) would give them back.
            platforms = {name: replace(share, respondents=None, response_rate=None)
                         for name, share in platforms.items()}
            times = _without_totals(times)
    else:
        platforms, hoods = guard_shares(suppressed, platforms, hoods)
    if series_give_paper_back(tally, platforms):
        times = _without_totals(times)
    hidden = not poll.live_results and not await poll_closed(stores, campaign_id, poll.id)
    if hidden:
        suppressed = SuppressedCounts((None,) * len(suppressed.cells), suppressed.total)
    shown = suppressed.total
    return PollFigures(
        step_id=poll.id, question=pick(poll.question, language),
        options=pick(poll.options, language),
        answers=suppressed,
        reach=reach, chats=sent.chats,
        respondents=shown,
        response_rate=response_rate(respondents, reach, shown),
        reminded=_cell(reminded, min_cell),
        after_reminder=_cell(tally.after_reminder, min_cell),
        median_hours_to_answer=times.median_hours, quartiles_hours=times.quartile_hours,
        platforms=platforms,
        neighbourhoods=hoods,
        times=times,
        results_hidden=hidden,
    )


def guard_shares(
    answers: SuppressedCounts, platforms: dict[str, ShareFigures],
    hoods: dict[str, ShareFigures],
) -> tuple[dict[str, ShareFigures], dict[str, ShareFigures]]:
    """The splits as they may stand beside the answers' line: when the respondents are
    hidden, shares that add up to them would give them back."""
    if answers.total is None:
        platforms = {n: replace(f, respondents=None, response_rate=None)
                     for n, f in platforms.items()}
        hoods = {n: replace(f, respondents=None, response_rate=None) for n, f in hoods.items()}
    return platforms, hoods


def series_give_paper_back(tally: PollTally, platforms: dict[str, ShareFigures]) -> bool:
    """Whether the phases and the hourly curve must hide their totals: they count the
    answers given in a chat (their sum is the curve's last point), so beside the respondents
    they publish the difference, the answers from paper, which the split may hide."""
    paper = platforms.get(PAPER)
    return bool(tally.by_platform.get(PAPER)) and (paper is None or paper.respondents is None)


def _without_totals(times: AnswerTimes) -> AnswerTimes:
    return replace(times, phases=[(phase, None) for phase, _n in times.phases],
                   curve=[(at, None) for at, _n in times.curve])


def _own_share(share: ShareFigures, published: Cell, respondents: int) -> ShareFigures:
    """A neighbourhood's respondents as its own results line publishes them."""
    return ShareFigures(share.reach, share.chats, published,
                        response_rate(respondents, share.reach, published))


def training_figures(
    training: Training, counts: TrainingCounts, min_cell: int, language: str
) -> TrainingFigures:
    started, completed, correct = counts.started, counts.completed, counts.correct
    # One line: those who completed and those who did not, against the starts; else
    # "started minus completed" could publish a small count.
    line = suppress_counts([completed, started - completed], min_cell, total=started)
    shown_started, shown_completed = line.total, line.cells[0]
    return TrainingFigures(
        step_id=training.id, title=pick(training.title, language),
        started=shown_started, completed=shown_completed,
        completion_rate=(round(completed / started, 3)
                         if shown_started and shown_completed is not None else None),
        quiz_success_rate=(round(correct / (completed * len(training.quiz)), 3)
                           if shown_completed else None),
    )
