"""« Ce que nous avons fait »: the outcome step, checked by the loader with located faults,
previewed, and rendered purely (the decision, what was done, the poll's final figures
suppressed, the accepted ideas it answers)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from animabot.campaigns.costs import resident_messages
from animabot.campaigns.render import outcome_message
from animabot.domain.window import DeliveryWindow
from animabot.errors import ScenarioError
from animabot.i18n import translator
from animabot.i18n.lazy import render
from animabot.scenario.loader import load_scenario, load_scenario_text
from animabot.scenario.model import Outcome, Poll, Scenario
from animabot.scenario.preview import preview_rows
from animabot.stats.suppression import suppress_counts

HEAD = '''id = "bancs"
title = "Des bancs"

[[steps]]
id = "envie"
kind = "poll"
at = "+0"
closes = "+2d"
question.fr = "Des bancs place du marché ?"
question.en = "Benches on the market square?"
options.fr = ["Oui", "Non"]
options.en = ["Yes", "No"]
'''
# The outcome's `[[steps]]` is on line 14; its keys follow one a line.


def _with(outcome: str) -> str:
    return HEAD + "\n[[steps]]\nid = \"fait\"\nkind = \"outcome\"\n" + outcome


def _problems(text: str) -> list[tuple[int | None, str, str, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "bancs.toml")
    _ = translator("fr")
    return [(p.line, p.field, render(p.message, _), render(p.fix, _))
            for p in caught.value.problems]


def test_an_outcome_after_its_poll_closes_by_default() -> None:
    scenario = load_scenario_text(_with(
        'poll = "envie"\nfigures = true\ndecision.fr = "Quatre bancs seront posés."\n'
        'decision.en = "Four benches will be put in."\ndone = "Commande passée le 3 mars."\n'),
        "bancs.toml")
    step = scenario.step("fait")
    assert isinstance(step, Outcome) and step.at == "after envie closes"
    assert step.figures and step.done == {"fr": "Commande passée le 3 mars."}


def test_an_outcome_about_ideas_alone_needs_no_poll() -> None:
    text = ('id = "idees"\ntitle = "Vos idées"\n\n[[steps]]\nid = "fait"\nkind = "outcome"\n'
            'ideas = true\ndecision = "Trois idées ont été retenues."\n')
    step = load_scenario_text(text, "idees.toml").steps[0]
    assert isinstance(step, Outcome) and step.ideas is True and step.at == "+0"
    listed = load_scenario_text(text.replace("ideas = true", "ideas = [3, 7]"), "idees.toml")
    assert listed.idea_refs() == [(0, 3), (0, 7)]


def test_an_outcome_linked_to_nothing_is_located_in_french_with_its_fix() -> None:
    ((line, field, message, fix),) = _problems(_with('decision = "x"\n'))
    assert (line, field) == (16, "steps[1].kind")
    assert message.startswith("une étape « outcome » dit ce qu'il est advenu")
    assert "poll = " in fix and "ideas = true" in fix


@pytest.mark.parametrize(("body", "line", "field", "words"), [
    ('poll = "envi"\ndecision = "x"\n', 17, "steps[1].poll", "étape inconnue « envi »"),
    ('ideas = true\nfigures = true\ndecision = "x"\n', 18, "steps[1].figures",
     "aucun sondage n'est nommé"),
    ('ideas = false\ndecision = "x"\n', 17, "steps[1].ideas", "ne relie aucune idée"),
    ('ideas = [0]\ndecision = "x"\n', 17, "steps[1].ideas", "ideas = [0]"),
    ('poll = "envie"\nat = "+1d"\nfigures = true\ndecision = "x"\n', 18, "steps[1].at",
     "avant sa clôture"),
    ('poll = "envie"\nat = "+0"\ndecision = "x"\n', 18, "steps[1].at",
     "rien n'est encore décidé"),
    ('poll = "envie"\n', 14, "steps[1].decision", ""),
    ('poll = "envie"\ndecision = "x"\ndecison = "y"\n', 19, "steps[1].decison", ""),
])
def test_faults_of_an_outcome_are_located(body: str, line: int, field: str, words: str) -> None:
    ((found_line, found_field, message, fix),) = _problems(_with(body))
    assert (found_line, found_field) == (line, field)
    assert words in message and fix


def test_an_outcome_must_come_after_its_poll() -> None:
    text = ('id = "t"\ntitle = "T"\n\n[[steps]]\nid = "fait"\nkind = "outcome"\n'
            'poll = "envie"\ndecision = "x"\n\n' + HEAD.split("\n", 3)[3].replace('at = "+0"',
                                                                               'at = "+1d"'))
    problems = _problems(text)
    assert any((field == "steps[0].poll" and line == 7 and "plus loin" in message)
               or (field == "steps[0].poll" and line == 7) for line, field, message, _f in problems)


def test_the_shipped_scenarios_tell_what_was_done() -> None:
    shipped = Path(__file__).parents[2] / "scenarios"
    (garden,) = load_scenario(shipped / "jardin-partage.toml").outcomes()
    assert garden.poll == "envie" and garden.figures
    (meeting,) = load_scenario(shipped / "reunion-publique.toml").outcomes()
    assert meeting.ideas is True and meeting.poll is None


def _scenario() -> Scenario:
    return load_scenario_text(_with(
        'poll = "envie"\nfigures = true\nat = "after envie closes +7d"\n'
        'decision.fr = "Quatre bancs seront posés."\ndecision.en = "Four benches will go in."\n'
        'done.fr = "Commande passée."\ndone.en = "Ordered."\n'), "bancs.toml")


def test_the_preview_words_the_outcome(paris_window: DeliveryWindow) -> None:
    start = datetime(2026, 12, 1, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
    rows = preview_rows(_scenario(), start, paris_window)
    (row,) = [r for r in rows if r.step_id == "fait"]
    assert (row.kind, row.part, row.excerpt) == ("ce que nous avons fait", "envoi",
                                                 "Quatre bancs seront posés.")


def test_the_message_gives_the_decision_what_was_done_and_the_final_figures() -> None:
    scenario = _scenario()
    poll, step = scenario.step("envie"), scenario.step("fait")
    assert isinstance(poll, Poll) and isinstance(step, Outcome)
    message = outcome_message(step, "fr", poll=poll, figures=suppress_counts([12, 3], 5),
                              min_cell=5, ideas=["Un banc   près de l'école " + "x" * 200])
    lines = message.text.splitlines()
    assert message.title == "Ce que nous avons fait"
    assert lines[0] == "À propos du sondage « Des bancs place du marché ? » :"
    assert lines[1] == "Décision : Quatre bancs seront posés."
    assert lines[2] == "Ce qui a été fait : Commande passée."
    # 3 is a small count: hidden with its complement, the respondents still shown.
    assert "• Oui : < 5" in lines and "• Non : < 5" in lines
    assert any(line.startswith("Personnes ayant répondu : 15") for line in lines)
    assert lines[-1].startswith("• Un banc près de l'école x") and lines[-1].endswith("…")
    assert len(lines[-1]) == 2 + 120


def test_the_message_in_english_without_figures_or_ideas() -> None:
    scenario = _scenario()
    step = scenario.step("fait")
    assert isinstance(step, Outcome)
    message = outcome_message(step, "en")
    assert message.title == "What we did"
    assert message.text.splitlines() == ["Decision: Four benches will go in.",
                                         "What was done: Ordered."]


def _data(**outcome: Any) -> dict[str, Any]:
    return {"id": "fait", "kind": "outcome", "decision": "x", **outcome}


def test_the_model_refuses_an_outcome_linked_to_nothing() -> None:
    with pytest.raises(ValueError, match="names neither"):
        Outcome.model_validate(_data())


def test_an_sms_estimate_counts_an_outcome_at_its_longest() -> None:
    text = ('id = "idees"\ntitle = "Vos idées"\n\n[[steps]]\nid = "fait"\nkind = "outcome"\n'
            'ideas = [3, 7]\ndecision = "Deux idées retenues."\n')
    start = datetime(2027, 6, 1, 8, 0, tzinfo=ZoneInfo("UTC"))
    (message,) = resident_messages(load_scenario_text(text, "idees.toml"), start,
                                   DeliveryWindow.always("Europe/Paris"), "fr", "")
    assert message.title == "Ce que nous avons fait"
    assert message.text.count("• " + "x" * 120) == 2  # two ideas, each at its longest
