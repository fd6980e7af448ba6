"""The sending window and local-time arithmetic, including both 2026 DST changes in Paris."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from animabot.domain.window import (
    DeliveryWindow,
    local_to_utc,
    parse_weekdays,
    parse_window_range,
)
from animabot.scenario.timeline import apply_offset
from animabot.scenario.timespec import parse_timespec

PARIS = ZoneInfo("Europe/Paris")
# 2026: clocks go 02:00 -> 03:00 on Sunday 29 March, 03:00 -> 02:00 on Sunday 25 October.
SPRING = datetime(2026, 3, 29)
AUTUMN = datetime(2026, 10, 25)


def _paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(datetime(year, month, day, hour, minute), PARIS)


def _offset(anchor: datetime, text: str, window: DeliveryWindow) -> datetime:
    return apply_offset(anchor, parse_timespec(text).offset, window)


def test_the_fixed_dates_are_the_real_changes() -> None:
    assert datetime(2026, 3, 28, 12, tzinfo=PARIS).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 3, 29, 12, tzinfo=PARIS).utcoffset() == timedelta(hours=2)
    assert datetime(2026, 10, 24, 12, tzinfo=PARIS).utcoffset() == timedelta(hours=2)
    assert datetime(2026, 10, 25, 12, tzinfo=PARIS).utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(("day", "elapsed"), [(SPRING, 23), (AUTUMN, 25)])
def test_plus_one_day_keeps_the_wall_time(
    always_paris: DeliveryWindow, day: datetime, elapsed: int
) -> None:
    saturday_10 = _paris(day.year, day.month, day.day - 1, 10)
    sunday = _offset(saturday_10, "+1d", always_paris)
    assert sunday.astimezone(PARIS).replace(tzinfo=None) == day.replace(hour=10)
    assert sunday - saturday_10 == timedelta(hours=elapsed)


@pytest.mark.parametrize("day", [SPRING, AUTUMN])
def test_hours_stay_a_duration_across_the_change(
    always_paris: DeliveryWindow, day: datetime
) -> None:
    saturday_22 = _paris(day.year, day.month, day.day - 1, 22)
    assert _offset(saturday_22, "+6h", always_paris) - saturday_22 == timedelta(hours=6)


def test_a_send_planned_in_the_spring_gap_lands_after_it(always_paris: DeliveryWindow) -> None:
    saturday_10 = _paris(2026, 3, 28, 10)
    sent = _offset(saturday_10, "+1d 02:30", always_paris)  # 02:30 does not exist that night
    local = sent.astimezone(PARIS)
    assert local.replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)
    assert sent > datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # the gap ends at 01:00 UTC


def test_local_to_utc_in_and_around_the_gap() -> None:
    assert local_to_utc(SPRING.replace(hour=1, minute=59), PARIS) == datetime(
        2026, 3, 29, 0, 59, tzinfo=UTC
    )
    assert local_to_utc(SPRING.replace(hour=2), PARIS) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert local_to_utc(SPRING.replace(hour=3), PARIS) == datetime(2026, 3, 29, 1, tzinfo=UTC)


def test_a_repeated_autumn_time_takes_its_first_occurrence() -> None:
    first = local_to_utc(AUTUMN.replace(hour=2, minute=30), PARIS)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert first.astimezone(PARIS).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("day", [SPRING, AUTUMN])
def test_opening_stays_nine_local_the_day_after_each_change(day: datetime) -> None:
    window = DeliveryWindow.from_settings("09:00-20:00", "Europe/Paris")  # Sundays open here
    sunday_night = _paris(day.year, day.month, day.day, 21)
    monday = window.next_open(sunday_night)
    assert monday.astimezone(PARIS).replace(tzinfo=None) == datetime(
        day.year, day.month, day.day + 1, 9
    )
    early_sunday = _paris(day.year, day.month, day.day, 1)  # before the change itself
    assert window.next_open(early_sunday).astimezone(PARIS).time() == time(9, 0)
    assert window.next_open(early_sunday).astimezone(PARIS).day == day.day


def test_saturday_evening_waits_for_monday(paris_window: DeliveryWindow) -> None:
    saturday_2030 = _paris(2026, 12, 5, 20, 30)
    assert paris_window.next_open(saturday_2030) == _paris(2026, 12, 7, 9)


def test_closed_sunday_over_the_autumn_change(paris_window: DeliveryWindow) -> None:
    saturday_2030 = _paris(2026, 10, 24, 20, 30)
    monday = paris_window.next_open(saturday_2030)
    assert monday == _paris(2026, 10, 26, 9)
    assert monday.astimezone(PARIS).utcoffset() == timedelta(hours=1)


def test_inside_the_window_nothing_moves(paris_window: DeliveryWindow) -> None:
    tuesday_noon = _paris(2026, 12, 1, 12)
    assert paris_window.next_open(tuesday_noon) == tuesday_noon
    assert paris_window.allows(tuesday_noon)


def test_early_morning_waits_for_the_same_day(paris_window: DeliveryWindow) -> None:
    assert paris_window.next_open(_paris(2026, 12, 1, 7)) == _paris(2026, 12, 1, 9)


def test_closing_time_itself_is_outside(paris_window: DeliveryWindow) -> None:
    assert not paris_window.allows(_paris(2026, 12, 1, 20))
    assert paris_window.allows(_paris(2026, 12, 1, 19, 59))


def test_always_open_window(always_paris: DeliveryWindow) -> None:
    sunday_3am = _paris(2026, 12, 6, 3)
    assert always_paris.next_open(sunday_3am) == sunday_3am


def test_window_settings_are_parsed() -> None:
    assert parse_window_range("9h00-20:00") == (time(9), time(20))
    assert parse_window_range("") is None
    assert parse_weekdays(["Dimanche", "saturday"]) == frozenset({5, 6})


@pytest.mark.parametrize("spec", ["20:00-09:00", "nine to five", "25:00-26:00"])
def test_bad_window_ranges(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_window_range(spec)


def test_every_day_closed_is_refused() -> None:
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    with pytest.raises(ValueError, match="every day is closed"):
        DeliveryWindow.from_settings("09:00-20:00", "Europe/Paris", days)
