"""Answers from paper and public meetings in the real store, SQLite and PostgreSQL: checked
against the campaign, kept with who entered them and when, audited, removable, and counted
in the tally as the channel ``paper``; an idea refused with a reason keeps it and its author
is told it in their language."""

from __future__ import annotations

from typing import Any

import pytest

from animabot.campaigns.paper import PaperEntry, record_paper_answers, remove_paper_answers
from animabot.clock import FakeClock
from animabot.core import Core
from animabot.domain.access import AuditAction
from animabot.errors import CampaignError
from animabot.ideas.moderation import decide_idea
from animabot.report.build import build_report
from animabot.scenario.model import Poll
from animabot.stats.campaign import campaign_figures
from animabot.stats.overview import overview
from animabot.stats.tally import tally_poll
from animabot.store.ideas import REJECTED, IdeaRepository

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..conftest import ScriptedAdapter
from ..helpers import People, scenario

CONSULTATION: dict[str, Any] = {
    "id": "bancs", "title": "Des bancs",
    "steps": [
        {"id": "envie", "kind": "poll", "at": "+0", "closes": "+2d",
         "question": "Des bancs place du marché ?", "options": ["Oui", "Non", "Sans avis"]},
        {"id": "plusieurs", "kind": "poll", "at": "+0", "closes": "+2d", "multiple": True,
         "question": "Où ?", "options": ["Place", "Parc"]},
    ],
}


async def _campaign(core: Core) -> str:
    started = await core.campaigns.start(scenario(CONSULTATION), ["centre", "gare"])
    return started.id


def _entry(**changes: Any) -> PaperEntry:
    values: dict[str, Any] = {
        "step_id": "envie", "neighbourhood_id": "centre", "option": 1,
        "count": 7, "source": "réunion du 12/03", "entered_by": "anne"}
    return PaperEntry(**{**values, **changes})


async def test_paper_counts_are_kept_with_who_and_when_and_merged_as_their_own_channel(
    core: Core, clock: FakeClock,
) -> None:
    campaign_id = await _campaign(core)
    stores = core.stores
    first = await record_paper_answers(stores, _entry(campaign=campaign_id[:6]), clock.now(),
                                       "cli:anne")
    assert (first.campaign_id, first.choice, first.count, first.entered_by) == (
        campaign_id, 0, 7, "anne")
    assert first.entered_at == clock.now() and first.source == "réunion du 12/03"
    await record_paper_answers(stores, _entry(campaign=campaign_id, option=2, count=6,
                                              neighbourhood_id="gare"), clock.now(), "cli:anne")
    listed = await stores.paper.of_campaign(campaign_id)
    assert [(e.neighbourhood_id, e.choice + 1, e.count) for e in listed] == [
        ("centre", 1, 7), ("gare", 2, 6)]

    record = await stores.campaigns.get(campaign_id)
    assert record is not None
    poll = next(s for s in scenario(CONSULTATION).steps if isinstance(s, Poll))
    tally = await tally_poll(stores, campaign_id, poll)
    assert tally.counts == [7, 6, 0] and tally.respondents == 13
    assert tally.by_platform == {"paper": 13}
    assert tally.counts_by_neighbourhood == {"centre": [7, 0, 0], "gare": [0, 6, 0]}
    figures = await campaign_figures(stores, campaign_id, 5)
    assert figures.polls[0].respondents == 13 and figures.polls[0].answers.cells == (7, 6, 0)
    assert figures.polls[0].platforms["paper"].respondents == 13
    assert figures.polls[0].platforms["paper"].reach is None
    (summary,) = await overview(stores, 5)
    assert summary.respondents == 13

    removed = await remove_paper_answers(stores, first.id, clock.now(), "cli:marc")
    assert removed.id == first.id and await stores.paper.get(first.id) is None
    assert (await tally_poll(stores, campaign_id, poll)).respondents == 6
    audit = await stores.audit.latest()
    assert [(e.actor, e.action) for e in audit] == [
        ("cli:marc", AuditAction.PAPER_ANSWERS_REMOVED),
        ("cli:anne", AuditAction.PAPER_ANSWERS_RECORDED),
        ("cli:anne", AuditAction.PAPER_ANSWERS_RECORDED)]
    assert audit[0].target == f"{campaign_id}/envie" and "centre option 1: 7" in audit[0].detail


@pytest.mark.parametrize(("changes", "words"), [
    ({"step_id": "nope"}, "not a poll of campaign"),
    ({"step_id": "plusieurs"}, "several answers per person"),
    ({"option": 4}, "has 3 options"),
    ({"option": 0}, "has 3 options"),
    ({"count": 0}, "the number of answers"),
    ({"neighbourhood_id": "port"}, "not sent there"),
    ({"source": "  "}, "--source is empty"),
    ({"campaign": "zzz"}, "no campaign"),
])
async def test_a_wrong_entry_is_refused_with_its_fix_and_stores_nothing(
    core: Core, clock: FakeClock, changes: dict[str, Any], words: str,
) -> None:
    campaign_id = await _campaign(core)
    with pytest.raises(CampaignError, match=words):
        await record_paper_answers(core.stores, _entry(**{"campaign": campaign_id, **changes}),
                                   clock.now(), "cli:anne")
    assert await core.stores.paper.of_campaign(campaign_id) == []
    assert await core.stores.audit.latest() == []


async def test_removing_an_unknown_entry_says_how_to_list_them(
    core: Core, clock: FakeClock,
) -> None:
    with pytest.raises(CampaignError, match="answers list"):
        await remove_paper_answers(core.stores, 99, clock.now(), "cli:anne")


async def test_a_refused_idea_keeps_its_reason_and_its_author_is_told_it_in_their_language(
    core: Core, clock: FakeClock, adapter: ScriptedAdapter,
) -> None:
    people = People(core, clock)
    await core.conversation.handle(people.command(1, "start"))
    await core.conversation.handle(people.command(1, "quartier", "centre"))
    await core.conversation.handle(people.command(1, "idee", "Un", "skatepark", "rue", "Hugo"))
    decision = await decide_idea(core.database, 1, False, "cli:anne", clock.now(), "fr",
                                 reason="le terrain est  une zone inondable")
    assert decision is not None and decision.changed and decision.author_told
    idea = await IdeaRepository(core.database).get(1)
    assert idea is not None and idea.status == REJECTED
    assert idea.reason == "le terrain est une zone inondable"
    await core.worker({"simulated": adapter}).drain()
    told = [m.text for t, m, _ in adapter.sent if t.private and t.address == "user1"][-1]
    assert "n'a pas été retenue" in told and "le terrain est une zone inondable." in told
    assert "Un skatepark rue Hugo" in told


async def test_the_report_says_what_was_done_and_how_many_answered_on_paper(
    core: Core, clock: FakeClock,
) -> None:
    data = {**CONSULTATION, "steps": [
        CONSULTATION["steps"][0],
        {"id": "fait", "kind": "outcome", "poll": "envie", "at": "after envie closes +7d",
         "decision": "Quatre bancs seront posés.", "done": "Ils sont commandés."},
        {"id": "idees", "kind": "outcome", "ideas": True, "at": "+1d",
         "decision": "Deux idées retenues."},
    ]}
    started = await core.campaigns.start(scenario(data), ["centre", "gare"])
    for hood, option, count in (("centre", 1, 9), ("gare", 2, 7)):
        await record_paper_answers(core.stores, _entry(
            campaign=started.id, neighbourhood_id=hood, option=option, count=count),
            clock.now(), "cli:anne")
    html = await build_report(core.stores, started.id, 5, generated_at=clock.now())
    assert "Ce que nous avons fait" in html and "Quatre bancs seront posés." in html
    assert "Ils sont commandés." in html and "Sondage « Des bancs place du marché ? »" in html
    assert "les idées retenues de chaque quartier" in html and "pas encore" in html
    assert 'id="paper-answers"' in html and "tous sondages confondus :\n    16." in html
