"""Accepted ideas become a consultation scenario the loader accepts, within a poll's bounds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from animabot.ideas.to_scenario import NotEnoughIdeasError, consultation
from animabot.scenario.loader import load_scenario
from animabot.scenario.model import Poll
from animabot.store.ideas import IdeaRecord

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def ideas(count: int, status: str = "accepted") -> list[IdeaRecord]:
    return [
        IdeaRecord(n, None, "simulated", "centre", f"Idée numéro {n}", status,
                   T0 + timedelta(hours=n), None, None)
        for n in range(1, count + 1)
    ]


def poll_of(toml: str, write_scenario: Callable[[str | bytes], Path]) -> Poll:
    scenario = load_scenario(write_scenario(toml))
    (poll,) = scenario.polls()
    assert poll.mode == "private" and poll.reminders
    assert [s.kind for s in scenario.steps] == ["announcement", "poll", "results"]
    return poll


def test_one_accepted_idea_is_not_enough_for_a_poll() -> None:
    with pytest.raises(NotEnoughIdeasError, match="at least 2"):
        consultation(ideas(1) + ideas(3, status="rejected")[1:])


def test_three_ideas_make_a_three_option_poll_that_the_loader_accepts(
    write_scenario: Callable[[str | bytes], Path],
) -> None:
    made = consultation(ideas(3), question='Laquelle "d\'abord" ?',
                        neighbourhood=("centre", "Centre-ville"))
    assert made.left_out == 0
    poll = poll_of(made.toml, write_scenario)
    assert poll.options["fr"] == ["Idée numéro 1", "Idée numéro 2", "Idée numéro 3"]
    assert poll.question["fr"] == 'Laquelle "d\'abord" ?'
    assert load_scenario(write_scenario(made.toml)).id == "idees-centre"


def test_fifteen_ideas_keep_the_twelve_most_recent_with_a_note(
    write_scenario: Callable[[str | bytes], Path],
) -> None:
    made = consultation(ideas(15))
    assert made.left_out == 3
    assert "3 idée(s) acceptée(s) plus ancienne(s)" in made.toml
    poll = poll_of(made.toml, write_scenario)
    assert poll.options["fr"] == [f"Idée numéro {n}" for n in range(4, 16)]


def test_long_multiline_or_quoted_ideas_stay_valid_options(
    write_scenario: Callable[[str | bytes], Path],
) -> None:
    texts = ["x" * 300, 'Un "banc"\nprès de l\'école \\ \x7f ici', "Un banc"]
    records = [IdeaRecord(i, None, "simulated", None, text, "accepted", T0 + timedelta(hours=i),
                          None, None) for i, text in enumerate(texts)]
    poll = poll_of(consultation(records).toml, write_scenario)
    first, second, third = poll.options["fr"]
    assert len(first) == 100 and first.endswith("…")
    assert second == 'Un "banc" près de l\'école \\ ici'
    assert third == "Un banc"
