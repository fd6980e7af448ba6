"""Follow-ups aimed by answer: the scenario checks (located, with a fix), the pure choice of
recipients, the planner's single row and the preview's words."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from animabot.campaigns.audience import Respondent, follow_up_audience
from animabot.campaigns.planner import plan_campaign
from animabot.domain.window import DeliveryWindow
from animabot.errors import ScenarioError
from animabot.i18n import translator
from animabot.i18n.lazy import render
from animabot.scenario.loader import load_scenario_text
from animabot.scenario.model import Audience
from animabot.scenario.preview import preview_rows
from animabot.store.chats import ChatRecord

from ..helpers import scenario

HEAD = """id = "reunion"
title = "Réunion"
"""
POLL = """
[[steps]]
id = "viendrez"
kind = "poll"
at = "+0"
closes = "+2d"
question = "Viendrez-vous ?"
options = ["Oui", "Peut-être", "Non, mais je veux le compte rendu", "Non"]
{extra}"""
FOLLOW_UP = """
[[steps]]
id = "compte-rendu"
kind = "announcement"
at = "{at}"
text = "Le compte rendu : https://exemple.fr/cr"
audience = {{ poll = "{poll}", options = {options} }}
"""


def _problems(text: str) -> list[tuple[int | None, str, str, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "reunion.toml")
    return [(p.line, p.field, p.message, p.fix) for p in caught.value.problems]


def _follow_up(poll: str = "viendrez", options: str = "[3]", at: str = "+3d") -> str:
    return FOLLOW_UP.format(poll=poll, options=options, at=at)


def test_a_follow_up_after_its_poll_loads() -> None:
    loaded = load_scenario_text(HEAD + POLL.format(extra="") + _follow_up(), "reunion.toml")
    step = loaded.step("compte-rendu")
    assert step.audience == Audience(poll="viendrez", options=[3])  # type: ignore[union-attr]


def test_an_unknown_poll_is_located_with_the_polls_to_choose_from() -> None:
    text = HEAD + POLL.format(extra="") + _follow_up(poll="viendre")
    [(line, field, message, fix)] = _problems(text)
    assert (line, field) == (17, "steps[1].audience.poll")
    assert "viendre" in message
    assert "viendrez" in fix


def test_a_step_that_is_not_a_poll_is_refused() -> None:
    announce = '\n[[steps]]\nid = "annonce"\nkind = "announcement"\nat = "+0"\ntext = "x"\n'
    text = HEAD + announce + POLL.format(extra="") + _follow_up(poll="annonce")
    [(line, field, message, fix)] = _problems(text)
    assert field == "steps[2].audience.poll" and line == 23
    assert "is not a poll" in message and "viendrez" in fix


def test_a_poll_coming_after_the_follow_up_is_refused() -> None:
    text = HEAD + _follow_up(at="+0") + POLL.format(extra="")
    problems = _problems(text)
    assert [(p[0], p[1]) for p in problems] == [(9, "steps[0].audience.poll")]
    assert "comes later" in problems[0][2] and "viendrez" in problems[0][3]


def test_option_numbers_out_of_range_are_each_located() -> None:
    text = HEAD + POLL.format(extra="") + _follow_up(options="[2, 5, 9]")
    problems = _problems(text)
    assert [p[1] for p in problems] == ["steps[1].audience.options[1]",
                                        "steps[1].audience.options[2]"]
    assert all(p[0] == 17 for p in problems)
    assert "from 1 to 4" in problems[0][3]
    french = render(problems[0][3], translator("fr"))
    assert french == "écrivez des numéros de 1 à 4, comme les habitants voient les options"


def test_option_zero_is_a_model_fault() -> None:
    problems = _problems(HEAD + POLL.format(extra="") + _follow_up(options="[0]"))
    assert [p[1] for p in problems] == ["steps[1].audience.options[0]"]


def test_an_unknown_key_of_the_audience_lists_its_own_keys() -> None:
    text = HEAD + POLL.format(extra="") + _follow_up(options="[2], option = 3")
    [(line, field, message, fix)] = _problems(text)
    assert (line, field, message) == (17, "steps[1].audience.option", "unknown key 'option'")
    assert "did you mean 'options'?" in fix and "in an audience: poll, options" in fix


def test_a_native_poll_cannot_be_targeted() -> None:
    text = HEAD + POLL.format(extra='mode = "native"') + _follow_up()
    [(_, field, message, fix)] = _problems(text)
    assert field == "steps[1].audience.poll"
    assert "native poll" in message and 'mode = "private"' in fix


def test_a_follow_up_sent_before_anyone_answered_is_refused() -> None:
    text = HEAD + POLL.format(extra="") + _follow_up(at="+0")
    [(_, field, message, fix)] = _problems(text)
    assert field == "steps[1].at" and "nobody will have answered" in message
    assert "after viendrez" in fix


def _respondent(tag: str, choices: tuple[int, ...], reachable: bool = True) -> Respondent:
    return Respondent(f"p-{tag}", tag, choices, reachable)


def test_only_those_who_chose_a_targeted_option_are_chosen() -> None:
    answers = [
        _respondent("a", (2,)), _respondent("b", (0,)), _respondent("c", (2,), reachable=False),
        _respondent("d", (3,)), _respondent("e", (0, 2)),  # multiple choice: 3 among them
    ]
    chosen = follow_up_audience(Audience(poll="viendrez", options=[3]), answers)
    assert [r.tag for r in chosen.reach] == ["a", "e"]
    assert [r.tag for r in chosen.unreachable] == ["c"]
    both = follow_up_audience(Audience(poll="viendrez", options=[3, 4]), answers)
    assert [r.tag for r in both.reach] == ["a", "d", "e"]


def test_nobody_chose_it() -> None:
    chosen = follow_up_audience(Audience(poll="p", options=[1]), [_respondent("a", (1,))])
    assert chosen.reach == () and chosen.unreachable == ()


FOLLOW_UP_SCENARIO: dict[str, Any] = {
    "id": "reunion", "title": "Réunion",
    "steps": [
        {"id": "viendrez", "kind": "poll", "at": "+0", "closes": "+2d",
         "question": "Viendrez-vous ?", "options": ["Oui", "Non, mais le compte rendu"]},
        {"id": "compte-rendu", "kind": "announcement", "at": "after viendrez closes",
         "text": "Le compte rendu", "audience": {"poll": "viendrez", "options": [2]}},
    ],
}
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_planner_makes_one_row_in_no_chat_for_a_follow_up() -> None:
    chats = [ChatRecord(i, "telegram", f"-{i}", "", "centre", True) for i in (1, 2)]
    _, rows = plan_campaign("c1", scenario(FOLLOW_UP_SCENARIO), START,
                            DeliveryWindow.always("Europe/Paris"), chats)
    aimed = [row for row in rows if row.step_id == "compte-rendu"]
    assert [(row.dedupe_key, row.part, row.chat_id, row.pseudonym) for row in aimed] == [
        ("c1:compte-rendu:audience", "audience", None, None)]


def test_the_preview_says_who_receives_a_follow_up() -> None:
    rows = preview_rows(scenario(FOLLOW_UP_SCENARIO), START, DeliveryWindow.always("Europe/Paris"))
    row = next(r for r in rows if r.step_id == "compte-rendu")
    assert row.note == ("en privé, seulement à qui a répondu 2 (« Non, mais le compte rendu »)"
                        " à « viendrez »")
    english = preview_rows(scenario(FOLLOW_UP_SCENARIO), START,
                           DeliveryWindow.always("Europe/Paris"), "en")
    assert "privately, only to those who answered 2" in next(
        r for r in english if r.step_id == "compte-rendu").note
