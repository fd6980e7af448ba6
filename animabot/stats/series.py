"""When residents answered: time to answer, phases around reminders, the hourly curve.

Everything comes from one SQL pass (a campaign may hold a million answers): first answers
counted per minute through the time index; quartiles, phases and the hourly curve are read
off that histogram. Times are rounded down to the hour: no export is finer. The curve counts
respondents only (never choices), is published once they reach the threshold, and its points
are suppressed so that no increment between published points is a small count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..store.statistics import StatisticsQueries
from .suppression import Cell, suppress_counts, suppress_cumulative

BEFORE, AFTER = "before_reminders", "after_reminder_"  # stable codes of the JSON export


@dataclass(frozen=True)
class AnswerTimes:
    phases: list[tuple[str, Cell]]  # (BEFORE | "after_reminder_N", new respondents)
    curve: list[tuple[datetime, Cell]]  # (hour, respondents so far), empty when too few
    reminders: list[datetime]  # the hour each reminder started going out
    reached_privately: Cell  # residents written to in private for this step
    median_hours: float | None = None  # time from the first send to each first answer
    quartile_hours: tuple[float, float] | None = None


def hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


async def answer_times(
    queries: StatisticsQueries, campaign_id: str, step_id: str, min_cell: int,
    first_sent: datetime | None = None,
) -> AnswerTimes:
    # First: it runs beside the main connection.
    minutes = await queries.first_answers_per_minute(campaign_id, step_id)
    reminders = await queries.reminder_starts(campaign_id, step_id)
    answered = sum(count for _, count in minutes)
    reached_count = await queries.reached_privately(campaign_id, step_id)
    median = spread = None
    if first_sent is not None and answered >= max(min_cell, 2):
        q1, q2, q3 = (_quantile(minutes, answered, p, first_sent) for p in (0.25, 0.5, 0.75))
        median, spread = _hours(q2), (_hours(q1), _hours(q3))
    return AnswerTimes(
        phases=_phases(minutes, answered, reminders, min_cell),
        curve=_curve(minutes, min_cell) if answered >= min_cell else [],
        reminders=[hour(moment) for moment in reminders],
        reached_privately=None if 0 < reached_count < min_cell else reached_count,
        median_hours=median, quartile_hours=spread,
    )


def _phases(
    minutes: list[tuple[datetime, int]], total: int, reminders: list[datetime], min_cell: int
) -> list[tuple[str, Cell]]:
    """New respondents before the first reminder and after each one (to the minute)."""
    counts = [0] * (len(reminders) + 1)
    for moment, count in minutes:
        phase = sum(1 for start in reminders if moment >= hour_minute(start))
        counts[phase] += count
    cells = suppress_counts(counts, min_cell, total=total).cells
    codes = [BEFORE] + [f"{AFTER}{n}" for n in range(1, len(reminders) + 1)]
    return list(zip(codes, cells, strict=True))


def phase_label(code: str, reminders: int = 1) -> str:
    """``before_reminders`` / ``after_reminder_2`` in French, for agents' pages."""
    if code.startswith(AFTER):
        return f"après la relance {code.removeprefix(AFTER)}"
    return "avant les relances" if reminders > 1 else "avant la relance"


def _hours(value: float) -> float:
    """Rounded to a tenth, never below zero: an answer in the minute of the send (or cast on
    a clock a little ahead) must not publish ``-0.0``."""
    return max(0.0, round(value, 1))


def hour_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _quantile(minutes: list[tuple[datetime, int]], count: int, p: float,
              origin: datetime) -> float:
    """The ``inclusive`` quantile (as ``statistics.quantiles``) of hours since ``origin``,
    to the minute."""
    position = (count - 1) * p
    low = int(position)
    values: list[float] = []
    seen = 0
    for moment, n in minutes:
        while len(values) < 2 and seen + n > low + len(values):
            values.append((moment - origin).total_seconds() / 3600)
        seen += n
        if len(values) == 2:
            break
    if len(values) == 1:
        return values[0]
    return values[0] + (values[1] - values[0]) * (position - low)


def _curve(minutes: list[tuple[datetime, int]], min_cell: int) -> list[tuple[datetime, Cell]]:
    per_hour: dict[datetime, int] = {}
    for moment, count in minutes:
        per_hour[hour(moment)] = per_hour.get(hour(moment), 0) + count
    if not per_hour:
        return []
    points: list[tuple[datetime, int]] = []
    total, current, last = 0, min(per_hour), max(per_hour)
    while current <= last:
        total += per_hour.get(current, 0)
        points.append((current, total))
        current += timedelta(hours=1)
    cells = suppress_cumulative([total for _, total in points], min_cell)
    return [(moment, cell) for (moment, _), cell in zip(points, cells, strict=True)]
