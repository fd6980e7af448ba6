"""Closing the loop on Telegram, end to end over real HTTP: an idea refused with a reason
reaches its author privately, in their language, with the reason; and « ce que nous avons
fait » reaches every group with the decision, what was done, the poll's final figures
(answers from paper included) and the accepted ideas of the group's own neighbourhood."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ..conftest import animabot
from .conftest import TelegramWorld
from .test_follow_ups import _start, _vote
from .test_residents import _onboard

DECISION = "Un composteur sera installé square Lamartine."
OUTCOME: dict[str, Any] = {
    "id": "compost", "title": "Compost",
    "steps": [
        {"id": "envie", "kind": "poll", "at": "+0", "closes": "+1d",
         "question": "Un composteur collectif ?", "options": ["Oui", "Non"]},
        {"id": "fait", "kind": "outcome", "poll": "envie", "at": "after envie closes +1h",
         "figures": True, "ideas": True,
         "decision": {"fr": DECISION, "en": "A compost bin will be put in Lamartine square."},
         "done": {"fr": "Il est commandé.", "en": "It is ordered."}},
    ],
}


def _cli(world: TelegramWorld, *args: str) -> str:
    database = str(world.core.settings.storage.database)
    return animabot(*args, "--database", database).stdout


async def test_a_refused_idea_reaches_its_author_with_the_reason_in_their_language(
    world: TelegramWorld,
) -> None:
    em = world.emulator
    english = 5  # the emulator gives every fifth user an English Telegram client
    await _onboard(world, english)  # never chooses a language: their client's is used
    em.user_sends(english, english, "/idee A skate park behind the station")
    await world.settle()

    refused = animabot("ideas", "review", "1", "--reject", "--as", "Anne", "--database",
                       str(world.core.settings.storage.database), check=False)
    assert refused.returncode == 1 and "--reason" in refused.stderr  # a reason is required
    said = _cli(world, "ideas", "review", "1", "--reject", "--as", "Anne",
                "--reason", "the ground floods every winter")
    assert "rejected" in said and "will be told in private" in said
    # The command ran on the system clock: the world's clock catches up with it.
    world.clock.advance(datetime.now(UTC) - world.clock.now() + timedelta(minutes=1))
    await world.worker.drain()
    told = world.texts(english)[-1]
    assert told == ("Your idea “A skate park behind the station” was not retained. The "
                    "facilitators' reason: the ground floods every winter. Thank you for "
                    "sharing it!")
    for group in (-1001, -1002, -1003):  # nothing said in any group
        assert not any("skate" in text for text in world.texts(group))


async def test_what_was_done_reaches_every_group_with_its_own_neighbourhoods_ideas(
    world: TelegramWorld,
) -> None:
    em = world.emulator
    for user, idea in ((1, "Un composteur collectif"), (3, "Une boîte à livres"),
                       (2, "Un skatepark")):
        await _onboard(world, user)  # 1 and 2 live in the centre, 3 near the station
        em.user_sends(user, user, f"/idee {idea}")
        await world.settle()  # one at a time: the ideas are numbered 1, 2, 3
    _cli(world, "ideas", "review", "1", "--accept", "--as", "Anne")
    _cli(world, "ideas", "review", "2", "--accept", "--as", "Anne")
    _cli(world, "ideas", "review", "3", "--reject", "--as", "Anne", "--reason", "déjà prévu")

    campaign_id, polls = await _start(world, OUTCOME)
    for user in range(1, 13):
        await _vote(world, polls, user, 0 if user <= 9 else 1)  # 9 yes, 3 no
    await world.settle()
    _cli(world, "answers", "record", campaign_id, "envie", "--neighbourhood", "gare",
         "--option", "2", "--count", "6", "--source", "réunion du 12/03", "--by", "Anne")

    world.clock.advance(timedelta(days=1, hours=1, minutes=1))
    await world.worker.drain()
    for group, hood_idea, other_idea in ((-1001, "Un composteur collectif",
                                          "Une boîte à livres"),
                                         (-1002, "Un composteur collectif",
                                          "Une boîte à livres"),
                                         (-1003, "Une boîte à livres",
                                          "Un composteur collectif")):
        posted = world.texts(group)[-1]
        assert "Ce que nous avons fait" in posted
        assert "À propos du sondage « Un composteur collectif ? » :" in posted
        assert f"Décision : {DECISION}" in posted
        assert "Ce qui a été fait : Il est commandé." in posted
        # 9 yes in the chats; 3 no in the chats and 6 on paper: 18 in all.
        assert "• Oui : 9" in posted and "• Non : 9" in posted
        assert "Personnes ayant répondu : 18" in posted
        assert f"• {hood_idea}" in posted and other_idea not in posted.split("répond :")[1]
        assert "skatepark" not in posted.lower()  # refused: never quoted
    assert sum("Ce que nous avons fait" in (m.text or "") for m in em.sent) == 3
