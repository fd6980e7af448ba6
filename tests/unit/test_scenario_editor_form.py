"""The editor's form and the scenario writer: every shipped scenario survives form → TOML →
loader unchanged, times chosen map onto the scenario syntax, and a loader's problem lands
beside the field it is about."""

from __future__ import annotations

from pathlib import Path

import pytest

from animabot.config import load_settings
from animabot.errors import Problem
from animabot.scenario.loader import load_scenario, load_scenario_text
from animabot.scenario.model import Announcement
from animabot.scenario.writer import data_to_toml, scenario_to_toml
from animabot.web.editor.check import check
from animabot.web.editor.form import data_of, fields_of, new_step, slots, without_step
from animabot.web.editor.messages import step_messages
from animabot.web.editor.problems import GENERAL, field_for, label_of, place
from animabot.web.editor.times import choice_of, spec_of

SHIPPED = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_scenario_round_trips_through_the_writer_and_the_form(path: Path) -> None:
    scenario = load_scenario(path)
    assert load_scenario_text(scenario_to_toml(scenario), "w") == scenario
    assert load_scenario_text(data_to_toml(data_of(fields_of(scenario))), "f") == scenario


@pytest.mark.parametrize(("fields", "spec"), [
    ({"t.mode": "start"}, "+0"),
    ({"t.mode": "days", "t.days": "2", "t.clock": "18:00"}, "+2d 18:00"),
    ({"t.mode": "days", "t.days": "3"}, "+3d"),
    ({"t.mode": "after", "t.step": "envie"}, "after envie closes"),
    ({"t.mode": "after", "t.step": "envie", "t.hours": "1"}, "after envie closes +1h"),
    ({"t.mode": "text", "t.text": "+2h"}, "+2h"),
    ({"t.mode": "none"}, None),
    ({}, None),
])
def test_a_time_chosen_is_the_scenario_syntax_and_reads_back(
    fields: dict[str, str], spec: str | None,
) -> None:
    assert spec_of(fields, "t") == spec
    if spec is not None:
        assert spec_of(choice_of(spec, "t"), "t") == spec


def test_a_text_with_quotes_backslashes_and_lines_is_written_as_toml_reads_it() -> None:
    fields = {"id": "s", "title": 'Le "grand" \\ titre', **new_step("announcement", 0),
              "steps[0].text.fr": "ligne 1\nligne 2 \x7f é"}
    checked = check(fields)
    assert checked.scenario is not None, checked.problems
    assert checked.scenario.title == 'Le "grand" \\ titre'
    step = checked.scenario.steps[0]
    assert isinstance(step, Announcement) and step.text["fr"] == "ligne 1\nligne 2 \x7f é"


def test_each_problem_is_placed_beside_the_nearest_field() -> None:
    names = {"steps[0].options.fr", "steps[0].text.fr", "steps[1].at.mode", "title"}
    assert field_for("steps[0].options.fr[2]", names) == "steps[0].options.fr"
    assert field_for("steps[0].text", names) == "steps[0].text.fr"
    assert field_for("steps[1].at", names) == "steps[1].at.mode"
    assert field_for("", names) == GENERAL
    assert field_for("steps[4].question", names) == GENERAL
    placed = place([Problem("f", "title", "must not be empty", "write one")], names, "en")
    assert placed["title"][0].message == "must not be empty"


def test_an_empty_form_reports_what_is_missing_in_french() -> None:
    checked = check({})
    assert checked.scenario is None
    messages = [p.message for ps in checked.problems.values() for p in ps]
    assert messages and all("required" not in m for m in messages)


def test_steps_are_added_with_room_for_one_more_item_and_removed_in_place() -> None:
    fields = {**new_step("poll", 0), **new_step("training", 1), **new_step("results", 2)}
    shown = slots(fields)
    assert [(s.kind, s.cards, s.quiz, s.reminders) for s in shown] == [
        ("poll", 0, 0, 1), ("training", 2, 1, 1), ("results", 0, 0, 0)]
    kept = without_step(fields, 1)
    assert [s.kind for s in slots(kept)] == ["poll", "results"]
    assert kept["steps[1].id"] == "results-3"


def test_a_field_is_named_as_the_form_shows_it() -> None:
    assert label_of("steps[0].options.en") == "étape 1, réponses possibles (anglais)"
    assert label_of("steps[1].reminders[0].mode") == "étape 2, relance 1"
    assert label_of("steps[2].quiz[1].correct") == "étape 3, question de quiz 2, bonne réponse"
    assert label_of("title") == "titre"


def test_each_platform_shows_a_poll_as_its_residents_will_read_it() -> None:
    scenario = load_scenario(Path(__file__).parents[2] / "scenarios" / "reunion-publique.toml")
    settings = load_settings(None)
    settings.sms.sender_name = "Mairie"  # type: ignore[attr-defined]
    poll = next(m for m in step_messages(scenario, settings) if m.step_id == "viendrez")
    assert {"Telegram", "Matrix", "Courriel", "SMS"} <= set(poll.shown)
    assert poll.shown["SMS"].startswith("Mairie: Sondage") and "STOP" in poll.shown["SMS"]
    assert "[ 1. Oui ]" in poll.shown["Telegram"]
    assert "1. Oui" in poll.shown["Matrix"] and "répondez par le numéro" in poll.shown["Matrix"]
    assert poll.shown["Courriel"].startswith("Objet : Sondage · Viendrez-vous")
