"""When residents answered: time to answer, phases around reminders, the hourly curve.

Everything is counted in SQL (a campaign may hold a million answers): the quartiles read
three rows through the time index, phases are one pass with ``CASE``, the curve is a
``GROUP BY`` hour. Times are rounded down to the hour: no export is finer. The curve counts
respondents only (never choices) and is published once they reach the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..store.database import Database
from ..store.timestamps import from_db, to_db
from .suppression import Cell, suppress_counts

WHERE = "WHERE campaign_id = ? AND step_id = ?"


@dataclass(frozen=True)
class AnswerTimes:
    phases: list[tuple[str, Cell]]  # ("before reminders" | "after reminder N", new respondents)
    curve: list[tuple[datetime, int]]  # (hour, respondents so far), empty when too few
    reminders: list[datetime]  # the hour each reminder started going out
    reached_privately: Cell  # residents written to in private for this step
    median_hours: float | None = None  # time from the first send to each first answer
    quartile_hours: tuple[float, float] | None = None


def hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


async def answer_times(
    database: Database, campaign_id: str, step_id: str, min_cell: int,
    first_sent: datetime | None = None,
) -> AnswerTimes:
    key = (campaign_id, step_id)
    starts = await database.fetch_all(
        "SELECT part, MIN(sent_at) AS at FROM delivery WHERE campaign_id = ? AND step_id = ?"
        " AND part LIKE 'reminder%' AND pseudonym IS NOT NULL AND status = 'sent'"
        " GROUP BY part ORDER BY at", key)
    reminders = [from_db(row["at"]) for row in starts]
    phases, answered = await _phases(database, key, reminders, min_cell)
    reached = await database.fetch_one(
        f"SELECT COUNT(DISTINCT pseudonym) AS n FROM delivery {WHERE}"
        " AND pseudonym IS NOT NULL AND status = 'sent'", key)
    reached_count = int(reached["n"]) if reached else 0
    median = spread = None
    if first_sent is not None and answered >= max(min_cell, 2):
        q1, q2, q3 = [await _quantile(database, key, answered, p, first_sent)
                      for p in (0.25, 0.5, 0.75)]
        median, spread = round(q2, 1), (round(q1, 1), round(q3, 1))
    return AnswerTimes(
        phases=phases,
        curve=await _curve(database, key) if answered >= min_cell else [],
        reminders=[hour(moment) for moment in reminders],
        reached_privately=None if 0 < reached_count < min_cell else reached_count,
        median_hours=median, quartile_hours=spread,
    )


async def _phases(
    database: Database, key: tuple[str, str], reminders: list[datetime], min_cell: int
) -> tuple[list[tuple[str, Cell]], int]:
    bounds = [to_db(moment) for moment in reminders]
    cases = ["SUM(CASE WHEN ? IS NULL OR first_answered_at < ? THEN 1 ELSE 0 END)"]
    params: list[object] = [bounds[0] if bounds else None] * 2
    for index, start in enumerate(bounds):
        end = bounds[index + 1] if index + 1 < len(bounds) else None
        cases.append("SUM(CASE WHEN first_answered_at >= ? AND (? IS NULL OR first_answered_at"
                     " < ?) THEN 1 ELSE 0 END)")
        params += [start, end, end]
    row = await database.fetch_one(
        f"SELECT COUNT(*), {', '.join(cases)} FROM answer {WHERE}", [*params, *key])
    values = [int(value or 0) for value in tuple(row)] if row else [0] * (len(cases) + 1)
    total, counts = values[0], values[1:]
    cells = suppress_counts(counts, min_cell, total=total).cells
    labels = ["before reminders"] + [f"after reminder {n}" for n in range(1, len(bounds) + 1)]
    return list(zip(labels, cells, strict=True)), total


async def _quantile(
    database: Database, key: tuple[str, str], count: int, p: float, origin: datetime
) -> float:
    """The ``inclusive`` quantile (as ``statistics.quantiles``) of hours since ``origin``."""
    position = (count - 1) * p
    low = int(position)
    rows = await database.fetch_all(
        f"SELECT first_answered_at FROM answer {WHERE} ORDER BY first_answered_at"
        " LIMIT 2 OFFSET ?", [*key, low])
    hours = [(from_db(r["first_answered_at"]) - origin).total_seconds() / 3600 for r in rows]
    if len(hours) == 1:
        return hours[0]
    return hours[0] + (hours[1] - hours[0]) * (position - low)


async def _curve(database: Database, key: tuple[str, str]) -> list[tuple[datetime, int]]:
    rows = await database.fetch_all(
        f"SELECT substr(first_answered_at, 1, 13) AS h, COUNT(*) AS n FROM answer {WHERE}"
        " GROUP BY h ORDER BY h", key)
    per_hour = {datetime.strptime(r["h"], "%Y-%m-%dT%H").replace(tzinfo=UTC): int(r["n"])
                for r in rows}
    if not per_hour:
        return []
    points, total, current, last = [], 0, min(per_hour), max(per_hour)
    while current <= last:
        total += per_hour.get(current, 0)
        points.append((current, total))
        current += timedelta(hours=1)
    return points
