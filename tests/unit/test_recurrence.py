"""Recurrence rules, in English and French, on the local calendar across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from animabot.scenario.recurrence import Recurrence, RecurrenceError

PARIS = ZoneInfo("Europe/Paris")


def local(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%a %Y-%m-%d %H:%M")


def series(rule: str, start: datetime, count: int) -> list[str]:
    recurrence, moments, current = Recurrence.parse(rule), [], start
    for _ in range(count):
        current = recurrence.next_after(current, PARIS)
        moments.append(local(current))
    return moments


def test_every_first_monday_at_18() -> None:
    assert series("every first Monday at 18:00", datetime(2026, 11, 26, tzinfo=UTC), 3) == [
        "Mon 2026-12-07 18:00", "Mon 2027-01-04 18:00", "Mon 2027-02-01 18:00"]


def test_french_and_last_weekday() -> None:
    assert series("chaque dernier vendredi à 18h30", datetime(2026, 11, 1, tzinfo=UTC), 2) == [
        "Fri 2026-11-27 18:30", "Fri 2026-12-25 18:30"]
    assert series("tous les lundis à 09:00", datetime(2026, 11, 26, tzinfo=UTC), 2) == [
        "Mon 2026-11-30 09:00", "Mon 2026-12-07 09:00"]


def test_the_wall_clock_hour_holds_across_the_october_dst_change() -> None:
    moments = series("every sunday at 10:00", datetime(2026, 10, 12, tzinfo=UTC), 3)
    assert moments == ["Sun 2026-10-18 10:00", "Sun 2026-10-25 10:00", "Sun 2026-11-01 10:00"]
    utc = [Recurrence.parse("every sunday at 10:00").next_after(
        datetime(2026, 10, day, tzinfo=UTC), PARIS).hour for day in (12, 19)]
    assert utc == [8, 9]  # 10:00 CEST is 08:00 UTC, 10:00 CET is 09:00 UTC


def test_a_time_in_the_spring_gap_moves_past_it() -> None:
    when = Recurrence.parse("every day at 02:30").next_after(
        datetime(2026, 3, 28, 12, tzinfo=UTC), PARIS)
    assert local(when) == "Sun 2026-03-29 03:30"


@pytest.mark.parametrize("rule", ["every moonday at 18:00", "every fifth monday at 18:00",
                                  "every monday at 25:00", "sometimes", "every first day at 9:00"])
def test_unclear_rules_say_what_to_write(rule: str) -> None:
    with pytest.raises(RecurrenceError, match=r"18:00|not|takes no"):
        Recurrence.parse(rule)
