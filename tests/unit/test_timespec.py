"""The time syntax facilitators write in scenario files."""

from __future__ import annotations

from datetime import time

import pytest

from animabot.scenario.timespec import Offset, TimeSpecError, parse_timespec


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("+0", Offset()),
        ("+2h", Offset(hours=2)),
        ("+90m", Offset(minutes=90)),
        ("+1d", Offset(days=1)),
        ("+1d 2h", Offset(days=1, hours=2)),
        ("+1d 18:00", Offset(days=1, at=time(18, 0))),
        ("+3d 9h30", Offset(days=3, at=time(9, 30))),
        ("  +1d   18:00 ", Offset(days=1, at=time(18, 0))),
    ],
)
def test_offsets_from_the_campaign_start(text: str, offset: Offset) -> None:
    spec = parse_timespec(text)
    assert spec.after_step is None
    assert spec.offset == offset


def test_plus_zero_is_the_campaign_start() -> None:
    assert parse_timespec("+0").is_campaign_start
    assert not parse_timespec("+1h").is_campaign_start
    assert not parse_timespec("after annonce").is_campaign_start


@pytest.mark.parametrize(
    ("text", "step", "closes", "offset"),
    [
        ("after envie", "envie", False, Offset()),
        ("after envie closes", "envie", True, Offset()),
        ("after envie closes +1h", "envie", True, Offset(hours=1)),
        ("after envie +2d 09:00", "envie", False, Offset(days=2, at=time(9, 0))),
        ("After Envie Closes", "Envie", True, Offset()),
    ],
)
def test_anchored_on_another_step(text: str, step: str, closes: bool, offset: Offset) -> None:
    spec = parse_timespec(text)
    assert (spec.after_step, spec.after_close, spec.offset) == (step, closes, offset)


@pytest.mark.parametrize(
    "text", ["", "   ", "demain", "+", "+1x", "1d", "+1d 25:00", "+1d 18:60", "after", "+d"]
)
def test_invalid_times_explain_the_syntax(text: str) -> None:
    with pytest.raises(TimeSpecError) as caught:
        parse_timespec(text)
    message = str(caught.value)
    assert "+1d 18:00" in message or "time of day" in message


def test_an_hour_out_of_range_says_so() -> None:
    with pytest.raises(TimeSpecError, match="00:00 to 23:59"):
        parse_timespec("+1d 24:00")


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("+3j", Offset(days=3)),
        ("+2h", Offset(hours=2)),
        ("+1j 18:00", Offset(days=1, at=time(18, 0))),
        ("+1 j", Offset(days=1)),
        ("+30min", Offset(minutes=30)),
        ("+1j 2h 30min", Offset(days=1, hours=2, minutes=30)),
        ("+2 jours", Offset(days=2)),
        ("+1 jour 18h00", Offset(days=1, at=time(18, 0))),
        ("+1j à 18h00", Offset(days=1, at=time(18, 0))),
        ("+3 heures", Offset(hours=3)),
        ("+2 days", Offset(days=2)),
        ("+45 minutes", Offset(minutes=45)),
        ("+1J", Offset(days=1)),
        ("after envie closes +1j", Offset(days=1)),
    ],
)
def test_french_units_are_aliases(text: str, offset: Offset) -> None:
    assert parse_timespec(text).offset == offset


@pytest.mark.parametrize("text", ["+1jx", "+1 journée", "+2hh", "+1j j"])
def test_units_are_whole_words(text: str) -> None:
    with pytest.raises(TimeSpecError):
        parse_timespec(text)


@pytest.mark.parametrize(
    "text", ["+99999999999d", "+3661d", "+99999999999h", "+1" + "0" * 5000 + "d", "+5270500m"]
)
def test_a_time_too_far_ahead_is_refused_not_overflowed(text: str) -> None:
    with pytest.raises(TimeSpecError, match="at most 3660 days"):
        parse_timespec(text)


def test_ten_years_ahead_is_still_a_time() -> None:
    assert parse_timespec("+3660d").offset == Offset(days=3660)
