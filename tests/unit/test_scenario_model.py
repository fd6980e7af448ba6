"""What the pydantic model accepts and refuses on its own (no file, no timeline)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from animabot.scenario.model import Poll, Results, Scenario, Training, pick


def _scenario(*steps: dict[str, Any]) -> dict[str, Any]:
    first = {"id": "annonce", "kind": "announcement", "at": "+0", "text": "Bonjour"}
    return {"id": "essai", "title": "Essai", "steps": [first, *steps]}


def _poll(**changes: Any) -> dict[str, Any]:
    poll = {
        "id": "envie", "kind": "poll", "at": "+1d 18:00", "closes": "+4d 20:00",
        "question": {"fr": "Participeriez-vous ?", "en": "Would you take part?"},
        "options": {"fr": ["Oui", "Non"], "en": ["Yes", "No"]},
    }
    return {**poll, **changes}


def _training(**changes: Any) -> dict[str, Any]:
    training = {
        "id": "formation", "kind": "training", "at": "+2d 10:00", "title": "Compost",
        "cards": [{"text": "Fiche 1"}, {"text": "Fiche 2"}],
        "quiz": [{"question": "Q ?", "options": ["a", "b", "c"], "correct": 2,
                  "explanation": "Parce que."}],
    }
    return {**training, **changes}


def _errors(data: dict[str, Any]) -> list[tuple[tuple[int | str, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(data)
    return [(tuple(e["loc"]), e["type"]) for e in caught.value.errors()]


def test_plain_strings_are_read_as_french() -> None:
    scenario = Scenario.model_validate(_scenario(_poll(question="Q ?", options=["a", "b"])))
    poll = scenario.step("envie")
    assert isinstance(poll, Poll)
    assert poll.question == {"fr": "Q ?"}
    assert pick(poll.options, "en") == ["a", "b"]  # English falls back to French


def test_pick_prefers_the_asked_language() -> None:
    scenario = Scenario.model_validate(_scenario(_poll()))
    assert pick(scenario.polls()[0].question, "en") == "Would you take part?"


def test_steps_are_told_apart_by_kind() -> None:
    scenario = Scenario.model_validate(
        _scenario(_poll(), _training(), {"id": "res", "kind": "results", "of": "envie"})
    )
    assert [type(s).__name__ for s in scenario.steps] == [
        "Announcement", "Poll", "Training", "Results"
    ]


def test_results_default_to_when_the_poll_closes() -> None:
    step = {"id": "r", "kind": "results", "of": "envie"}
    scenario = Scenario.model_validate(_scenario(_poll(), step))
    results = scenario.step("r")
    assert isinstance(results, Results)
    assert results.at == "after envie closes"


def test_unknown_keys_are_refused() -> None:
    assert _errors(_scenario(_poll(colour="red"))) == [
        (("steps", 1, "poll", "colour"), "extra_forbidden")
    ]


def test_a_french_text_is_required() -> None:
    errors = _errors(_scenario(_poll(question={"en": "Only English?"})))
    assert errors == [(("steps", 1, "poll", "question"), "value_error")]


@pytest.mark.parametrize("count", [1, 13])
def test_a_poll_takes_two_to_twelve_options(count: int) -> None:
    options = [f"option {i}" for i in range(count)]
    errors = _errors(_scenario(_poll(options=options)))
    assert errors == [
        (("steps", 1, "poll", "options", "fr"), "too_short" if count < 2 else "too_long")
    ]


def test_twelve_options_are_fine() -> None:
    Scenario.model_validate(_scenario(_poll(options=[f"o{i}" for i in range(12)])))


def test_every_language_has_the_same_options() -> None:
    errors = _errors(_scenario(_poll(options={"fr": ["a", "b", "c"], "en": ["a", "b"]})))
    assert errors == [(("steps", 1, "poll"), "value_error")]


def test_question_limit_is_telegrams() -> None:
    Scenario.model_validate(_scenario(_poll(question="q" * 300)))
    assert _errors(_scenario(_poll(question="q" * 301))) == [
        (("steps", 1, "poll", "question", "fr"), "too_long")
    ]


def test_quiz_correct_must_name_an_existing_option() -> None:
    quiz = [{"question": "Q ?", "options": ["a", "b"], "correct": 3, "explanation": "e"}]
    assert _errors(_scenario(_training(quiz=quiz))) == [
        (("steps", 1, "training", "quiz", 0), "value_error")
    ]


def test_a_training_needs_two_cards() -> None:
    assert _errors(_scenario(_training(cards=[{"text": "seule"}]))) == [
        (("steps", 1, "training", "cards"), "too_short")
    ]


def test_bad_times_are_refused_by_the_model() -> None:
    assert _errors(_scenario(_poll(closes="vendredi"))) == [
        (("steps", 1, "poll", "closes"), "value_error")
    ]


def test_step_ids_are_slugs() -> None:
    assert _errors(_scenario(_poll(id="Envie !"))) == [
        (("steps", 1, "poll", "id"), "string_pattern_mismatch")
    ]


def test_training_parts_are_reachable() -> None:
    scenario = Scenario.model_validate(_scenario(_training()))
    training = scenario.step("formation")
    assert isinstance(training, Training)
    assert training.quiz[0].correct == 2
    assert pick(training.cards[1].text, "fr") == "Fiche 2"
    with pytest.raises(KeyError):
        scenario.step("absent")
