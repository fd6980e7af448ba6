"""Resolving planner-facing times: what a facilitator writes becomes due instants."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from animabot.domain.window import DeliveryWindow
from animabot.errors import ScenarioError
from animabot.scenario.model import Scenario
from animabot.scenario.timeline import CLOSE, SEND, TimelineEntry, build_timeline

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)  # Sunday is 6 December


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def _scenario(*steps: dict[str, Any]) -> Scenario:
    first = {"id": "annonce", "kind": "announcement", "at": "+0", "text": "Bonjour"}
    return Scenario.model_validate({"id": "essai", "title": "Essai", "steps": [first, *steps]})


def _poll(**changes: Any) -> dict[str, Any]:
    poll = {"id": "envie", "kind": "poll", "at": "+1d 18:00", "closes": "+4d 20:00",
            "question": "Participeriez-vous ?", "options": ["Oui", "Non"]}
    return {**poll, **changes}


def _entry(entries: list[TimelineEntry], step_id: str, part: str = SEND) -> TimelineEntry:
    (found,) = [e for e in entries if e.step_id == step_id and e.part == part]
    return found


def test_plus_zero_is_the_start(paris_window: DeliveryWindow) -> None:
    entries = build_timeline(_scenario(), TUESDAY_10, paris_window)
    assert entries == [TimelineEntry("annonce", "announcement", SEND, TUESDAY_10, TUESDAY_10)]


def test_next_day_at_a_clock_time(paris_window: DeliveryWindow) -> None:
    entries = build_timeline(_scenario(_poll()), TUESDAY_10, paris_window)
    poll = _entry(entries, "envie")
    assert poll.due_at == _local(2026, 12, 2, 18)
    assert not poll.deferred
    assert _entry(entries, "envie", CLOSE).due_at == _local(2026, 12, 5, 20)


def test_hours_are_a_duration(paris_window: DeliveryWindow) -> None:
    step = {"id": "rappel", "kind": "announcement", "at": "+2h", "text": "Rappel"}
    entries = build_timeline(_scenario(step), TUESDAY_10, paris_window)
    assert _entry(entries, "rappel").due_at == _local(2026, 12, 1, 12)


def test_after_a_step_and_after_it_closes(paris_window: DeliveryWindow) -> None:
    steps = [
        _poll(),
        {"id": "merci", "kind": "announcement", "at": "after envie +1h", "text": "Merci"},
        {"id": "res", "kind": "results", "of": "envie", "at": "after envie closes"},
    ]
    entries = build_timeline(_scenario(*steps), TUESDAY_10, paris_window)
    assert _entry(entries, "merci").due_at == _local(2026, 12, 2, 19)
    # closes Saturday 20:00: the window is shut, results wait for Monday 09:00 (Sunday closed)
    results = _entry(entries, "res")
    assert results.planned_at == _local(2026, 12, 5, 20)
    assert results.due_at == _local(2026, 12, 7, 9)
    assert results.deferred


def test_results_default_to_the_poll_closing(paris_window: DeliveryWindow) -> None:
    steps = [_poll(closes="+3d 12:00"), {"id": "res", "kind": "results", "of": "envie"}]
    entries = build_timeline(_scenario(*steps), TUESDAY_10, paris_window)
    assert _entry(entries, "res").due_at == _local(2026, 12, 4, 12)


def test_results_after_closing_plus_an_hour_deferred(paris_window: DeliveryWindow) -> None:
    steps = [
        _poll(closes="+2d 19:30"),
        {"id": "res", "kind": "results", "of": "envie", "at": "after envie closes +1h"},
    ]
    entries = build_timeline(_scenario(*steps), TUESDAY_10, paris_window)
    results = _entry(entries, "res")
    assert results.planned_at == _local(2026, 12, 3, 20, 30)
    assert results.due_at == _local(2026, 12, 4, 9)


def test_sunday_is_closed(paris_window: DeliveryWindow) -> None:
    step = {"id": "dimanche", "kind": "announcement", "at": "+5d 11:00", "text": "Hop"}
    entries = build_timeline(_scenario(step), TUESDAY_10, paris_window)
    sunday = _entry(entries, "dimanche")
    assert sunday.planned_at == _local(2026, 12, 6, 11)
    assert sunday.due_at == _local(2026, 12, 7, 9)


def test_the_same_scenario_always_open(always_paris: DeliveryWindow) -> None:
    step = {"id": "dimanche", "kind": "announcement", "at": "+5d 23:00", "text": "Hop"}
    entries = build_timeline(_scenario(step), TUESDAY_10, always_paris)
    assert not _entry(entries, "dimanche").deferred


def test_closing_is_silent_and_never_deferred(paris_window: DeliveryWindow) -> None:
    entries = build_timeline(_scenario(_poll(closes="+4d 23:30")), TUESDAY_10, paris_window)
    close = _entry(entries, "envie", CLOSE)
    assert close.due_at == close.planned_at == _local(2026, 12, 5, 23, 30)


def test_reminders_are_numbered(paris_window: DeliveryWindow) -> None:
    poll = _poll(reminders=["+2d 18:00", "+3d 18:00"])
    entries = build_timeline(_scenario(poll), TUESDAY_10, paris_window)
    assert _entry(entries, "envie", "reminder1").due_at == _local(2026, 12, 3, 18)
    assert _entry(entries, "envie", "reminder2").due_at == _local(2026, 12, 4, 18)


def test_entries_come_in_due_order(paris_window: DeliveryWindow) -> None:
    steps = [
        _poll(reminders=["+2d 18:00"]),
        {"id": "tot", "kind": "announcement", "at": "+1h", "text": "Tôt"},
    ]
    entries = build_timeline(_scenario(*steps), TUESDAY_10, paris_window)
    assert [(e.step_id, e.part) for e in entries] == [
        ("annonce", SEND), ("tot", SEND), ("envie", SEND), ("envie", "reminder1"),
        ("envie", CLOSE),
    ]
    assert entries == sorted(entries, key=lambda e: e.due_at)


def test_a_late_start_pushes_the_first_sends(paris_window: DeliveryWindow) -> None:
    step = {"id": "rappel", "kind": "announcement", "at": "+1h", "text": "Rappel"}
    evening = _local(2026, 12, 1, 19, 30)
    entries = build_timeline(_scenario(step), evening, paris_window)
    assert _entry(entries, "annonce").due_at == evening
    assert _entry(entries, "rappel").due_at == _local(2026, 12, 2, 9)


def test_times_come_back_in_utc(paris_window: DeliveryWindow) -> None:
    (entry,) = build_timeline(_scenario(), TUESDAY_10, paris_window)
    assert entry.due_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("step", "field", "words"),
    [
        (_poll(at="after rien"), "steps[1].at", "unknown step 'rien'"),
        (_poll(reminders=["+5d 10:00"]), "steps[1].reminders[0]", "after the step closes"),
        (_poll(reminders=["+1d 09:00"]), "steps[1].reminders[0]", "before the step itself"),
        (_poll(closes="+1d 17:00"), "steps[1].closes", "before or when it is sent"),
        ({"id": "r", "kind": "results", "of": "annonce"}, "steps[1].of", "is not a poll"),
    ],
)
def test_ordering_faults(
    paris_window: DeliveryWindow, step: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        build_timeline(_scenario(step), TUESDAY_10, paris_window)
    (problem,) = caught.value.problems
    assert problem.file == "scenario 'essai'"
    assert problem.field == field
    assert words in problem.message
    assert problem.fix
