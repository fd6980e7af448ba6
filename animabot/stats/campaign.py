"""A campaign's figures: reach, respondents, response rate, answers per option, answers after
reminders, training completion and quiz success; every count that could single someone out
is suppressed before it leaves this module."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from ..campaigns.lifecycle import CampaignStatus, campaign_status
from ..campaigns.service import scenario_of
from ..errors import CampaignError
from ..scenario.model import Poll, Training, pick
from ..store.answers import AnswerRepository
from ..store.campaigns import CampaignRepository
from ..store.database import Database
from ..store.deliveries import DeliveryRepository
from ..store.timestamps import from_db
from .breakdown import ShareFigures, split_poll
from .series import AnswerTimes, answer_times
from .suppression import Cell, SuppressedCounts, is_small, suppress_counts
from .tally import tally_poll

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
    database: Database, campaign_id: str, min_cell: int, language: str = "fr"
) -> CampaignFigures:
    record = await CampaignRepository(database).get(campaign_id)
    if record is None:
        raise CampaignError(f"no campaign {campaign_id!r}: `animabot campaign list` shows the ids")
    scenario = scenario_of(record)
    deliveries = DeliveryRepository(database)
    answers = AnswerRepository(database)
    polls, trainings = [], []
    for step in scenario.steps:
        if isinstance(step, Poll):
            polls.append(await _poll(database, answers, record.id, step, min_cell, language))
        elif isinstance(step, Training):
            trainings.append(await _training(database, record.id, step, min_cell, language))
    counts = await deliveries.status_counts(record.id, chats_only=True)
    status = campaign_status(record.status, await deliveries.status_counts(record.id))
    names = await database.fetch_all("SELECT id, name FROM neighbourhood")
    return CampaignFigures(
        id=record.id, title=record.title, scenario_id=record.scenario_id,
        status=status, start_at=record.start_at,
        targets=record.targets, deliveries=counts, polls=polls, trainings=trainings,
        min_cell=min_cell, neighbourhood_names={row["id"]: row["name"] for row in names},
    )


async def _poll(
    database: Database, answers: AnswerRepository, campaign_id: str, poll: Poll,
    min_cell: int, language: str,
) -> PollFigures:
    reach_row = await database.fetch_one(
        "SELECT SUM(reach) AS reach, COUNT(*) AS chats, MIN(sent_at) AS sent FROM delivery"
        " WHERE campaign_id = ? AND step_id = ? AND part = 'send' AND status = 'sent'",
        (campaign_id, poll.id),
    )
    reach = reach_row["reach"] if reach_row else None
    first_sent = from_db(reach_row["sent"]) if reach_row and reach_row["sent"] else None
    # The two reads over every answer run side by side (two connections, two threads).
    tally, times = await asyncio.gather(
        tally_poll(database, campaign_id, poll),
        answer_times(database, campaign_id, poll.id, min_cell, first_sent),
    )
    platforms = await split_poll(database, campaign_id, poll.id, tally, min_cell, "platform")
    hoods = await split_poll(database, campaign_id, poll.id, tally, min_cell, "neighbourhood")
    reminded_row = await database.fetch_one(
        "SELECT COUNT(DISTINCT pseudonym) AS n FROM delivery WHERE campaign_id = ?"
        " AND step_id = ? AND part LIKE 'reminder%' AND pseudonym IS NOT NULL AND status = 'sent'",
        (campaign_id, poll.id),
    )
    respondents = tally.respondents
    suppressed = suppress_counts(tally.counts, min_cell, total=respondents)
    shown = suppressed.total  # respondents are the answers' total: one suppression for both
    return PollFigures(
        step_id=poll.id, question=pick(poll.question, language),
        options=pick(poll.options, language),
        answers=suppressed,
        reach=reach, chats=reach_row["chats"] if reach_row else 0,
        respondents=shown,
        response_rate=(round(respondents / reach, 3) if reach and shown is not None else None),
        reminded=_cell(reminded_row["n"] if reminded_row else 0, min_cell),
        after_reminder=_cell(tally.after_reminder, min_cell),
        median_hours_to_answer=times.median_hours, quartiles_hours=times.quartile_hours,
        platforms=platforms,
        neighbourhoods=hoods,
        times=times,
    )


async def _training(
    database: Database, campaign_id: str, training: Training, min_cell: int, language: str
) -> TrainingFigures:
    row = await database.fetch_one(
        "SELECT COUNT(*) AS started, COUNT(completed_at) AS completed,"
        " SUM(CASE WHEN completed_at IS NOT NULL THEN quiz_correct ELSE 0 END) AS correct"
        " FROM completion WHERE campaign_id = ? AND step_id = ?",
        (campaign_id, training.id),
    )
    started = row["started"] if row else 0
    completed = row["completed"] if row else 0
    correct = (row["correct"] or 0) if row else 0
    # One line: those who completed and those who did not, against the starts; else
    # "started minus completed" could publish a small count.
    line = suppress_counts([completed, started - completed], min_cell, total=started)
    shown_started, shown_completed = line.total, line.cells[0]
    return TrainingFigures(
        step_id=training.id, title=pick(training.title, language),
        started=shown_started, completed=shown_completed,
        completion_rate=(round(completed / started, 3)
                         if shown_started is not None and shown_completed is not None else None),
        quiz_success_rate=(round(correct / (completed * len(training.quiz)), 3)
                           if shown_completed else None),
    )
