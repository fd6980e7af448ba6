"""Closing the loop on Telegram, end to end over real HTTP: a follow-up reaches privately
exactly the residents who chose the targeted option, and a results step posts each
neighbourhood's own figures in its own groups, a small neighbourhood's hidden."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from animabot.scenario.model import Scenario
from animabot.scenario.snapshot import scenario_of
from animabot.stats.campaign import campaign_figures
from animabot.stats.follow_ups import follow_up_progress

from ..conftest import animabot
from .conftest import TelegramWorld
from .test_residents import _buttons, _onboard

MINUTES = "Le compte rendu de la réunion est en ligne."
GROUP_OF = {1: -1001, 2: -1002, 0: -1003}  # the emulator's groups hold users by user % 3

FOLLOW_UP: dict[str, Any] = {
    "id": "reunion", "title": "Réunion",
    "steps": [
        {"id": "viendrez", "kind": "poll", "at": "+0", "closes": "+1d",
         "question": "Viendrez-vous ?",
         "options": ["Oui", "Non, mais je veux le compte rendu", "Non"]},
        {"id": "compte-rendu", "kind": "announcement", "at": "after viendrez closes +1h",
         "text": MINUTES, "audience": {"poll": "viendrez", "options": [2]}},
    ],
}
PER_NEIGHBOURHOOD: dict[str, Any] = {
    "id": "quartiers", "title": "Quartiers",
    "steps": [
        {"id": "envie", "kind": "poll", "at": "+0", "closes": "+1d",
         "question": "Un jardin ?", "options": ["Oui", "Non"]},
        {"id": "resultats", "kind": "results", "of": "envie", "per_neighbourhood": True,
         "text": "Les résultats :"},
    ],
}


async def _vote(world: TelegramWorld, polls: dict[int, Any], user: int, option: int) -> None:
    group = GROUP_OF[user % 3]
    poll = polls[group]
    world.emulator.user_presses(user, group, poll.message_id, _buttons(poll)[option][1])


async def _start(world: TelegramWorld, data: dict[str, Any]) -> tuple[str, dict[int, Any]]:
    started = await world.core.campaigns.start(Scenario.model_validate(data), ["centre", "gare"])
    await world.worker.drain()
    polls = {group: next(m for m in world.emulator.messages_to(group) if _buttons(m))
             for group in GROUP_OF.values()}
    return started.id, polls


async def test_a_follow_up_reaches_privately_only_those_who_chose_the_option(
    world: TelegramWorld,
) -> None:
    em = world.emulator
    wanted, others, changed, stranger = [1, 2, 3, 4, 5, 6], [7, 8, 9], 10, 11
    for user in [*wanted, *others, changed]:
        await _onboard(world, user)
    campaign_id, polls = await _start(world, FOLLOW_UP)
    for user in wanted:
        await _vote(world, polls, user, 1)  # "Non, mais je veux le compte rendu"
    for user in others:
        await _vote(world, polls, user, user % 2 * 2)  # "Oui" or "Non"
    await _vote(world, polls, changed, 1)
    await _vote(world, polls, stranger, 1)  # never wrote to the bot: cannot be reached
    await world.settle()
    await _vote(world, polls, changed, 0)  # changes their mind before the poll closes
    await world.settle()

    world.clock.advance(timedelta(days=1, hours=1, minutes=1))
    await world.worker.drain()
    received = {m.chat_id for m in em.sent if MINUTES in (m.text or "")}
    assert received == set(wanted)  # private chats only: a user's private chat id is theirs
    for group in GROUP_OF.values():
        assert not any(MINUTES in text for text in world.texts(group))

    record = await world.core.campaigns.get(campaign_id)
    progress = await follow_up_progress(world.core.stores, campaign_id, scenario_of(record), 1)
    assert progress["compte-rendu"].sent == 6 and progress["compte-rendu"].unreachable == 1
    shown = await follow_up_progress(world.core.stores, campaign_id, scenario_of(record), 5)
    # One unreachable resident is a small count: hidden with a complement, never alone.
    assert (shown["compte-rendu"].sent, shown["compte-rendu"].unreachable) == (None, None)

    await world.worker.drain()  # nothing is sent twice
    assert sum(MINUTES in (m.text or "") for m in em.sent) == len(wanted)

    database = str(world.core.settings.storage.database)
    shown_json = json.loads(animabot("campaign", "show", campaign_id, "--json",
                                     "--database", database).stdout)
    assert shown_json["follow_ups"]["compte-rendu"]["unreachable"] == {
        "value": None, "suppressed": True}
    # The delivery table counts group messages and reminders, not who chose an option.
    assert shown_json["deliveries"]["sent"] == 6  # the poll and its closing, three groups
    table = animabot("campaign", "show", campaign_id, "--database", database).stdout
    assert "Suites ciblées selon la réponse" in table and "injoignables" in table


async def test_each_neighbourhood_receives_its_own_results(world: TelegramWorld) -> None:
    em = world.emulator
    campaign_id, polls = await _start(world, PER_NEIGHBOURHOOD)
    centre = [u for u in range(1, 25) if u % 3]  # 16 residents in the centre's two groups
    gare = [3, 6, 9]  # three in the gare's group: too few to publish
    for user in centre:
        await _vote(world, polls, user, 0 if user <= 12 else 1)
    for user in gare:
        await _vote(world, polls, user, 0)
    await world.settle()
    world.clock.advance(timedelta(hours=6))
    await world.worker.drain()
    refreshed = em.message(-1001, polls[-1001].message_id)
    assert refreshed is not None and "Réponses jusqu'ici" not in refreshed["text"]

    world.clock.advance(timedelta(days=1))
    await world.worker.drain()
    for group in (-1001, -1002):
        posted = world.texts(group)[-1]
        assert "Dans le quartier Centre :" in posted
        assert "• Oui : 8" in posted and "• Non : 8" in posted
        assert "Personnes ayant répondu : 16" in posted
        # Beside the gare's hidden line, the overall figures would give it back.
        assert "Tous les quartiers ensemble :" in posted and "• Oui : —" in posted
    posted = world.texts(-1003)[-1]
    assert "Dans le quartier Gare :" in posted and "Trop peu de réponses" in posted
    assert "3" not in posted.split("Gare :")[1].split("Tous")[0]

    figures = await campaign_figures(world.core.database, campaign_id, 5)
    poll = figures.polls[0]
    assert poll.answers.cells == (None, None) and poll.respondents is None
    assert poll.neighbourhoods["centre"].respondents == 16
    assert poll.neighbourhoods["gare"].respondents is None


HIDDEN: dict[str, Any] = {
    "id": "cache", "title": "Caché",
    "steps": [
        {"id": "envie", "kind": "poll", "at": "+0", "closes": "+1d", "live_results": False,
         "question": "Un jardin ?", "options": ["Oui", "Non"]},
        {"id": "natif", "kind": "poll", "at": "+0", "closes": "+1d", "live_results": False,
         "mode": "native", "question": "Un banc ?", "options": ["Oui", "Non"]},
    ],
}


async def test_results_hidden_until_the_poll_closes(world: TelegramWorld) -> None:
    em = world.emulator
    campaign_id, polls = await _start(world, HIDDEN)
    natives = [p for p in em.state.polls.values() if p.question == "Un banc ?"]
    assert len(natives) == 3 and all(p.hide_results_until_closes for p in natives)
    for user in range(1, 13):
        await _vote(world, polls, user, user % 2)
    await world.settle()
    world.clock.advance(timedelta(hours=6))
    await world.worker.drain()
    for group, poll in polls.items():
        shown = em.message(group, poll.message_id)
        assert shown is not None and "Réponses jusqu'ici" not in shown["text"]
    figures = await campaign_figures(world.core.database, campaign_id, 5)
    assert figures.polls[0].results_hidden and figures.polls[0].answers.cells == (None, None)
    assert figures.polls[0].respondents == 12  # participation is not a result

    world.clock.advance(timedelta(days=1))
    await world.worker.drain()
    figures = await campaign_figures(world.core.database, campaign_id, 5)
    assert not figures.polls[0].results_hidden and figures.polls[0].answers.cells == (6, 6)
