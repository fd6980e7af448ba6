"""Residents search the directory with /annuaire; scenarios name actors of the directory."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from animabot.chat.events import ChatRef
from animabot.clock import FakeClock
from animabot.core import Core
from animabot.directory.csv_import import parse_actors, read_csv_text
from animabot.domain.actor import Actor
from animabot.errors import CampaignError
from animabot.store.actors import ActorRepository

from ..backends import both_backends  # noqa: F401 (storage_backend: SQLite and PostgreSQL)
from ..conftest import ScriptedAdapter
from ..helpers import POLL_SCENARIO, TRAINING_SCENARIO, People, scenario

SAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "acteurs-exemple.csv"


@pytest.fixture
async def directory(core: Core, clock: FakeClock) -> list[Actor]:
    hoods = await core.services.chats.neighbourhoods()
    actors = [
        *parse_actors(read_csv_text(SAMPLE), hoods).actors,
        Actor("foot-centre", "Club de foot", "association", (), "centre", "centre@foot"),
        Actor("foot-gare", "Club de foot", "association", (), "gare", "gare@foot"),
    ]
    await ActorRepository(core.database).save_all(actors, clock.now())
    return actors


async def _ask(core: Core, adapter: ScriptedAdapter, people: People, n: int, command: str,
               *args: str) -> str:
    await core.conversation.handle(people.command(n, command, *args))
    await core.worker({"simulated": adapter}).drain()
    return adapter.texts()[-1]


async def test_a_resident_finds_an_actor_without_accents(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, directory: list[Actor]
) -> None:
    people = People(core, clock)
    await core.conversation.handle(people.command(1, "start"))
    reply = await _ask(core, adapter, people, 1, "annuaire", "epicerie", "solidaire")
    first = reply.splitlines()[1]
    assert first.startswith("• Épicerie Solidaire du Centre (") and "Centre-ville" in first
    assert "04 72 00 77 88" in reply and "Produits du quotidien" in reply
    assert reply.count("• ") <= 5
    assert adapter.sent[-1][0].private


async def test_typos_tags_and_the_english_alias(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, directory: list[Actor]
) -> None:
    people = People(core, clock)
    await core.conversation.handle(people.command(2, "start"))
    reply = await _ask(core, adapter, people, 2, "annuaire", "jardn")
    assert reply.splitlines()[1].startswith("• Les Jardins Partagés des Lilas")
    reply = await _ask(core, adapter, people, 2, "directory", "bibliotheque")
    assert reply.splitlines()[1].startswith("• Médiathèque Louise-Michel")


async def test_long_descriptions_are_shortened_on_a_word(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, directory: list[Actor]
) -> None:
    long = Actor("long", "Association Longue", "association", (), None, "",
                 " ".join(["mot"] * 200))
    await ActorRepository(core.database).save_all([long], clock.now())
    people = People(core, clock)
    await core.conversation.handle(people.command(3, "start"))
    reply = await _ask(core, adapter, people, 3, "annuaire", "longue")
    glimpse = reply.splitlines()[-1]
    assert glimpse.endswith("mot…") and len(glimpse) <= 165


async def test_equal_scores_list_the_residents_neighbourhood_first(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, directory: list[Actor]
) -> None:
    people = People(core, clock)
    await core.conversation.handle(people.command(4, "start"))
    reply = await _ask(core, adapter, people, 4, "annuaire", "foot")
    assert reply.index("centre@foot") < reply.index("gare@foot")
    await core.conversation.handle(people.command(4, "quartier", "gare"))
    reply = await _ask(core, adapter, people, 4, "annuaire", "foot")
    assert reply.index("gare@foot") < reply.index("centre@foot")


async def test_no_result_no_word_and_groups(
    core: Core, adapter: ScriptedAdapter, clock: FakeClock, directory: list[Actor]
) -> None:
    people = People(core, clock)
    await core.conversation.handle(people.command(5, "start"))
    reply = await _ask(core, adapter, people, 5, "annuaire", "piscine")
    assert "piscine" in reply and "•" not in reply
    reply = await _ask(core, adapter, people, 5, "annuaire")
    assert "/annuaire" in reply and "•" not in reply
    sent = len(adapter.sent)
    in_group = replace(people.command(5, "annuaire", "jardin"),
                       chat=ChatRef("simulated", "g-centre", False))
    await core.conversation.handle(in_group)
    await core.worker({"simulated": adapter}).drain()
    target, message, _ = adapter.sent[-1]
    assert len(adapter.sent) > sent and not target.private
    assert "/annuaire" in message.text and "Jardins" not in message.text


async def test_a_step_with_an_actor_shows_who_to_contact(
    core: Core, adapter: ScriptedAdapter, directory: list[Actor]
) -> None:
    data = {**POLL_SCENARIO, "steps": [{**POLL_SCENARIO["steps"][0], "actor": "mediatheque"}]}
    await core.campaigns.start(scenario(data), ["centre"])
    training = {**TRAINING_SCENARIO,
                "steps": [{**TRAINING_SCENARIO["steps"][0], "actor": "jardin-des-lilas"}]}
    await core.campaigns.start(scenario(training), ["centre"])
    await core.worker({"simulated": adapter}).drain()
    announcement, invite = adapter.texts()
    assert announcement.splitlines()[-1].endswith(
        "Médiathèque Louise-Michel — mediatheque@ville-exemple.fr — 04 72 00 33 44")
    assert invite.splitlines()[-1].endswith(
        "Les Jardins Partagés des Lilas — jardins.lilas@exemple.org — 06 12 34 56 78")


async def test_a_campaign_naming_an_unknown_actor_is_refused(
    core: Core, directory: list[Actor]
) -> None:
    data = {**POLL_SCENARIO, "steps": [{**POLL_SCENARIO["steps"][0], "actor": "mediateque"}]}
    with pytest.raises(CampaignError) as caught:
        await core.campaigns.start(scenario(data), ["centre"])
    message = str(caught.value)
    assert "steps[0].actor = 'mediateque'" in message
    assert "did you mean 'mediatheque'?" in message and "animabot actors import" in message
    assert await core.database.fetch_all("SELECT id FROM campaign") == []
