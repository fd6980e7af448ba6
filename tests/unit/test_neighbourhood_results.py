"""Each neighbourhood its own results: each line suppressed on its own, and an overall line
beside them that never says more than the lines do (else "overall minus the others" would
give a hidden cell back)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.matrix.outbound import render as matrix_render
from animabot.campaigns import render
from animabot.errors import ScenarioError
from animabot.privacy.pseudonyms import ActionSigner
from animabot.scenario.loader import load_scenario_text
from animabot.scenario.model import Poll, Results, Scenario
from animabot.stats.neighbourhoods import neighbourhood_results, tally_by_neighbourhood
from animabot.stats.suppression import SuppressedCounts
from animabot.stats.tally import PollTally

from ..helpers import POLL_SCENARIO, scenario

MIN_CELL = 5


def test_a_small_neighbourhood_hides_the_overall_figures_it_feeds() -> None:
    split = neighbourhood_results(
        {"centre": ([12, 6, 0], 18), "gare": ([2, 1, 0], 3)}, 3, MIN_CELL)
    assert split.rows["centre"] == SuppressedCounts((12, 6, 0), 18)
    assert split.rows["gare"].total is None  # too few answers to publish
    # 14 overall with 12 in centre would say gare's 2: hidden, and so is the total.
    assert split.overall == SuppressedCounts((None, None, 0), None)


def test_beside_full_lines_the_overall_line_is_their_sum() -> None:
    split = neighbourhood_results(
        {"centre": ([12, 6, 0], 18), "gare": ([5, 0, 7], 12)}, 3, MIN_CELL)
    assert split.overall == SuppressedCounts((17, 6, 7), 30)
    assert split.row("nord", 3) == SuppressedCounts((0, 0, 0), 0)


lines = st.dictionaries(
    st.sampled_from(["centre", "gare", "nord", "?"]),
    st.lists(st.integers(0, 12), min_size=3, max_size=3),
    min_size=1, max_size=4,
)


@given(lines)
def test_every_overall_figure_shown_is_given_away_by_the_lines(
    drawn: dict[str, list[int]],
) -> None:
    split = neighbourhood_results({h: (c, sum(c)) for h, c in drawn.items()}, 3, MIN_CELL)
    for index in range(3):
        cell = split.overall.cells[index]
        if cell is not None:
            shown = [row.cells[index] for row in split.rows.values()]
            assert None not in shown and cell == sum(c for c in shown if c is not None)
            assert cell == 0 or cell >= MIN_CELL
    if split.overall.total is not None:
        assert all(row.total is not None for row in split.rows.values())
    for hood, counts in drawn.items():  # each line is the usual suppressed line
        row = split.rows[hood]
        for count, cell in zip(counts, row.cells, strict=True):
            assert cell is None or cell == count
            assert cell is not None or count != 0 or row.any_suppressed


def test_the_tally_keeps_each_neighbourhoods_counts() -> None:
    tally = PollTally([0, 0, 0])
    tally.add("telegram", "centre", [6, 0, 0], 6)
    tally.add("matrix", "centre", [0, 5, 0], 5)
    tally.add("telegram", "gare", [0, 0, 2], 2)
    split = tally_by_neighbourhood(tally, MIN_CELL)
    assert split.rows["centre"] == SuppressedCounts((6, 5, 0), 11)
    assert split.rows["gare"].total is None


def _poll() -> Poll:
    poll = scenario(POLL_SCENARIO).step("envie")
    assert isinstance(poll, Poll)
    return poll


def test_the_message_gives_the_neighbourhood_and_says_when_too_few_answered() -> None:
    poll = _poll()
    own = render.results_message(poll, "fr", None, MIN_CELL, None,
                                 ("Centre", SuppressedCounts((12, 6, 0), 18)))
    assert "Dans le quartier Centre :" in own.text and "• Oui : 12" in own.text
    assert "Tous les quartiers" not in own.text
    small = render.results_message(poll, "fr", SuppressedCounts((None, None, 0), None),
                                   MIN_CELL, None,
                                   ("Gare", SuppressedCounts((None, None, None), None)))
    assert "Trop peu de réponses dans ce quartier" in small.text
    assert "• Oui : —" in small.text and "Personnes ayant répondu : —" in small.text
    assert "ne sont pas publiés" in small.text
    english = render.results_message(poll, "en", None, MIN_CELL, None,
                                     ("Gare", SuppressedCounts((None, None, None), None)))
    assert "Too few answers in this neighbourhood" in english.text


def test_options_of_a_results_step() -> None:
    data = {**POLL_SCENARIO, "steps": [*POLL_SCENARIO["steps"][:2], {
        "id": "resultats", "kind": "results", "of": "envie", "per_neighbourhood": True,
        "overall": False}]}
    loaded = Scenario.model_validate(data)
    step = loaded.step("resultats")
    assert isinstance(step, Results) and step.per_neighbourhood and not step.overall
    assert loaded.per_neighbourhood_results("envie")
    assert not loaded.live_totals(_poll())  # running totals would be an overall line
    assert scenario(POLL_SCENARIO).live_totals(_poll())


def test_a_results_step_that_publishes_nothing_is_located() -> None:
    text = ('id = "q"\ntitle = "Q"\n\n[[steps]]\nid = "envie"\nkind = "poll"\ncloses = "+1d"\n'
            'question = "Q ?"\noptions = ["a", "b"]\n\n[[steps]]\nid = "r"\nkind = "results"\n'
            'of = "envie"\noverall = false\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "q.toml")
    [problem] = caught.value.problems
    assert problem.field == "steps[1].overall" and problem.line == 15
    assert "per_neighbourhood = true" in problem.fix


def test_a_native_poll_with_hidden_results_asks_each_platform_to_hide_them() -> None:
    data = {**POLL_SCENARIO["steps"][1], "mode": "native"}
    signer = ActionSigner(b"k" * 32)
    kinds = {}
    for live in (True, False):
        poll = Poll.model_validate({**data, "live_results": live})
        message = render.poll_message(poll, "fr", 1, lambda a: signer.sign(a.encode()), None)
        assert message.native_poll is not None
        assert message.native_poll.hide_results is not live
        _, content, _ = matrix_render(message, direct=False, bot_user_id="@bot:example.org")
        kinds[live] = content["org.matrix.msc3381.poll.start"]["kind"]
    assert kinds == {True: "org.matrix.msc3381.poll.disclosed",
                     False: "org.matrix.msc3381.poll.undisclosed"}
