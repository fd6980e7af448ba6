"""The scenarios shipped in scenarios/ are valid, bilingual and plan a real campaign."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from animabot.conversation import commands
from animabot.domain.window import DeliveryWindow
from animabot.scenario.loader import load_scenario
from animabot.scenario.model import Poll, Results, Training
from animabot.scenario.timeline import CLOSE, SEND, build_timeline

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(SCENARIOS.glob("*.toml"))
START = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


def _texts(value: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every language-keyed text (``{"fr": ..., "en": ...}``) in a dumped scenario."""
    if isinstance(value, dict):
        if value and set(value) <= {"fr", "en"}:
            return [(path, value)]
        return [hit for key, item in value.items() for hit in _texts(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [hit for index, item in enumerate(value) for hit in _texts(item, f"{path}[{index}]")]
    return []


def test_the_expected_scenarios_are_shipped() -> None:
    names = {path.stem for path in FILES}
    assert {"demo", "jardin-partage", "compostage", "reunion-publique", "decouverte"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_loads_and_plans(path: Path, paris_window: DeliveryWindow) -> None:
    scenario = load_scenario(path)
    assert scenario.id == path.stem
    entries = build_timeline(scenario, START, paris_window)
    assert {e.step_id for e in entries if e.part == SEND} == {s.id for s in scenario.steps}
    assert all(paris_window.allows(e.due_at) for e in entries if e.part != CLOSE)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_text_is_in_french_and_english(path: Path) -> None:
    texts = _texts(load_scenario(path).model_dump())
    assert texts, "no text found"
    missing = [where for where, text in texts if set(text) != {"fr", "en"}]
    assert missing == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_is_commented_for_facilitators(path: Path) -> None:
    comments = [line for line in path.read_text(encoding="utf-8").splitlines() if "#" in line]
    assert len(comments) >= 5


def test_the_time_syntax_is_explained_in_jardin_partage() -> None:
    text = (SCENARIOS / "jardin-partage.toml").read_text(encoding="utf-8")
    for example in ('"+0"', '"+2h"', '"+1d 18:00"', '"after envie closes"'):
        assert example in text


def test_demo_has_the_agreed_shape() -> None:
    demo = load_scenario(SCENARIOS / "demo.toml")
    kinds = [step.kind for step in demo.steps]
    assert kinds == ["announcement", "poll", "training", "results"]
    poll, training, results = demo.steps[1], demo.steps[2], demo.steps[3]
    assert isinstance(poll, Poll) and isinstance(training, Training)
    assert isinstance(results, Results)
    assert (poll.at, poll.closes, poll.reminders) == ("+1d 18:00", "+4d 20:00", ["+3d 18:00"])
    assert (training.at, training.closes) == ("+2d 10:00", "+6d 20:00")
    assert 2 <= len(training.cards) <= 3 and 1 <= len(training.quiz) <= 2
    assert (results.of, results.at) == (poll.id, f"after {poll.id} closes")


def test_jardin_partage_is_a_private_consultation_with_a_reminder() -> None:
    scenario = load_scenario(SCENARIOS / "jardin-partage.toml")
    (poll,) = scenario.polls()
    assert poll.mode == "private" and poll.reminders
    assert any(isinstance(s, Results) and s.of == poll.id for s in scenario.steps)


def test_compostage_quiz_has_explanations() -> None:
    training = load_scenario(SCENARIOS / "compostage.toml").step("formation")
    assert isinstance(training, Training)
    assert 3 <= len(training.cards) <= 4 and 2 <= len(training.quiz) <= 3
    assert training.reminders
    assert all(question.explanation["fr"] for question in training.quiz)


def test_decouverte_gives_something_to_answer_at_once(paris_window: DeliveryWindow) -> None:
    """The README's "Try it" tour starts it with --at now: a poll and a training come first."""
    scenario = load_scenario(SCENARIOS / "decouverte.toml")
    at_start = {
        e.kind for e in build_timeline(scenario, START, paris_window)
        if e.part == SEND and e.due_at == START
    }
    assert {"poll", "training"} <= at_start
    assert any(isinstance(s, Results) for s in scenario.steps)


# A resident may be told to type a command; a free word ("répondez « référent »") is not
# understood by the bot, which answers only commands and buttons.
_ASKS_TO_TYPE = re.compile(
    r"\b(?:répondez|repondez|tapez|écrivez|ecrivez|envoyez|dites|reply|type|write|send|say)\b"
    r"[^.?!]*?[«\"“]\s*([^»\"”]+?)\s*[»\"”]",
    re.IGNORECASE,
)
_COMMAND = re.compile(r"(?<![\w/])[/!]([a-zA-Z]\w*)")


def _resident_texts(path: Path) -> list[str]:
    return [
        text for _, languages in _texts(load_scenario(path).model_dump())
        for value in languages.values()
        for text in (value if isinstance(value, list) else [value])
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_residents_are_only_told_to_type_what_the_bot_understands(path: Path) -> None:
    texts = _resident_texts(path)
    quoted = [m.group(1) for text in texts for m in _ASKS_TO_TYPE.finditer(text)]
    assert [word for word in quoted if not _COMMAND.fullmatch(word.split()[0])] == []
    named = {m.group(1).lower() for text in texts for m in _COMMAND.finditer(text)}
    assert named <= set(commands.ALIASES), named - set(commands.ALIASES)


def test_the_check_catches_a_free_word() -> None:
    text = "Vous voulez devenir référent ? Répondez « référent » au bot."
    assert [m.group(1) for m in _ASKS_TO_TYPE.finditer(text)] == ["référent"]
    assert not _COMMAND.fullmatch("référent")
    assert {m.group(1) for m in _COMMAND.finditer("Écrivez /idee ou /referent")} == {
        "idee", "referent"}
