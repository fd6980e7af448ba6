"""When residents answered: phases around reminders, and the cumulative curve by the hour.

Times are rounded down to the hour: no export is finer. The curve counts respondents only
(never choices) and is published only once the respondents reach the suppression threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..store.database import Database
from ..store.timestamps import from_db
from .suppression import Cell, suppress_counts


@dataclass(frozen=True)
class AnswerTimes:
    phases: list[tuple[str, Cell]]  # ("before reminders" | "after reminder N", new respondents)
    curve: list[tuple[datetime, int]]  # (hour, respondents so far), empty when too few
    reminders: list[datetime]  # the hour each reminder started going out
    reached_privately: Cell  # residents written to in private for this step


def hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


async def answer_times(
    database: Database, campaign_id: str, step_id: str, min_cell: int
) -> AnswerTimes:
    rows = await database.fetch_all(
        "SELECT first_answered_at FROM answer WHERE campaign_id = ? AND step_id = ?"
        " ORDER BY first_answered_at",
        (campaign_id, step_id),
    )
    answered = [from_db(row["first_answered_at"]) for row in rows]
    starts = await database.fetch_all(
        "SELECT part, MIN(sent_at) AS at FROM delivery WHERE campaign_id = ? AND step_id = ?"
        " AND part LIKE 'reminder%' AND pseudonym IS NOT NULL AND status = 'sent'"
        " GROUP BY part ORDER BY at",
        (campaign_id, step_id),
    )
    reminders = [from_db(row["at"]) for row in starts]
    bounds = [*reminders, None]
    counts = [sum(1 for t in answered if not reminders or t < reminders[0])]
    for index, start in enumerate(reminders):
        end = bounds[index + 1]
        counts.append(sum(1 for t in answered if t >= start and (end is None or t < end)))
    cells = suppress_counts(counts, min_cell, total=len(answered)).cells
    labels = ["before reminders"] + [f"after reminder {n}" for n in range(1, len(reminders) + 1)]
    reached = await database.fetch_one(
        "SELECT COUNT(DISTINCT pseudonym) AS n FROM delivery WHERE campaign_id = ?"
        " AND step_id = ? AND pseudonym IS NOT NULL AND status = 'sent'",
        (campaign_id, step_id),
    )
    reached_count = int(reached["n"]) if reached else 0
    return AnswerTimes(
        phases=list(zip(labels, cells, strict=True)),
        curve=_curve(answered) if len(answered) >= min_cell else [],
        reminders=[hour(moment) for moment in reminders],
        reached_privately=None if 0 < reached_count < min_cell else reached_count,
    )


def _curve(answered: list[datetime]) -> list[tuple[datetime, int]]:
    if not answered:
        return []
    points, total, current = [], 0, hour(answered[0])
    last = hour(answered[-1])
    index = 0
    while current <= last:
        while index < len(answered) and hour(answered[index]) <= current:
            total += 1
            index += 1
        points.append((current, total))
        current += timedelta(hours=1)
    return points
