"""One campaign to a Telegram group and a Matrix room at once; the agent's statistics merge
them with a per-platform split (the real `animabot stats` command reads the database)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters.telegram.adapter import TelegramAdapter
from animabot.config import NeighbourhoodSettings

from ..helpers import POLL_SCENARIO, scenario, until
from ..support.matrix import MatrixUser, Residents, SynapseServer
from ..support.telegram_emulator import BotApiEmulator
from .conftest import animabot
from .matrix.conftest import matrix, new_user, synapse  # noqa: F401  (fixtures)
from .matrix.world import MatrixWorld, make_world
from .telegram.conftest import emulator  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


@asynccontextmanager
async def both_platforms(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,  # noqa: F811
    new_user: Callable[..., MatrixUser], emulator: BotApiEmulator,  # noqa: F811
) -> AsyncIterator[MatrixWorld]:
    """The neighbourhood "centre" holds a Telegram group (-1001) and a Matrix room."""
    world = await make_world(tmp_path, synapse, matrix, new_user)
    telegram = None
    try:
        settings = world.settings
        settings.telegram.enabled = True
        settings.telegram.token = SecretStr(emulator.token)
        settings.telegram.base_url = emulator.base_url
        settings.telegram.poll_timeout = 1
        settings.neighbourhoods = [NeighbourhoodSettings(
            id="centre", name="Centre", matrix_rooms=[world.room], telegram_chats=["-1001"])]
        await world.core.services.chats.register("telegram", "-1001", "", world.clock.now(),
                                                 "centre")
        telegram = TelegramAdapter(settings, world.core.pseudonymize, None)
        await telegram.start(world.core.conversation.handle)
        world.worker = world.core.worker({"matrix": world.adapter, "telegram": telegram})
        yield world
    finally:
        if telegram is not None:
            await telegram.stop()
        await world.close()


async def test_merged_results_with_a_per_platform_split(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,  # noqa: F811
    new_user: Callable[..., MatrixUser], emulator: BotApiEmulator,  # noqa: F811
) -> None:
    async with both_platforms(tmp_path, synapse, matrix, new_user, emulator) as world:
        people = [new_user(f"m{i}") for i in range(5)]
        dms = [await world.onboard(person) for person in people]
        started = await world.core.campaigns.start(scenario(POLL_SCENARIO), ["centre"])
        await world.worker.drain()

        group_poll = emulator.messages_to(-1001)[1]
        buttons = [b["callback_data"] for row in group_poll.reply_markup["inline_keyboard"]
                   for b in row]
        for user in range(1, 7):  # six Telegram residents vote in the group
            emulator.user_presses(user, -1001, group_poll.message_id, buttons[user % 2])
        for person, dm in zip(people, dms, strict=True):  # five Matrix residents, in private
            poll = await matrix.wait_for_event(
                person, dm, lambda e: e["type"] == "org.matrix.msc3381.poll.start")
            answer = poll["content"]["org.matrix.msc3381.poll.start"]["answers"][2]["id"]
            await world.handled(await matrix.vote_unstable(person, dm, poll["event_id"],
                                                           [answer]))
        await emulator.wait_for(lambda: len(emulator.callback_answers) >= 6, timeout=10)

        async def counted() -> bool:
            row = await world.core.database.fetch_one("SELECT COUNT(*) AS n FROM answer")
            return row is not None and row["n"] == 11

        await until(counted, 10, "every vote to be recorded")
        settings = world.settings
        result = animabot("stats", "campaign", started.id, "--format", "json", "--database",
                          str(settings.storage.database), cwd=tmp_path)
        poll_stats = json.loads(result.stdout)["polls"][0]
        assert poll_stats["respondents"] == {"value": 11, "suppressed": False}
        split = poll_stats["platforms"]
        assert split["telegram"]["respondents"] == {"value": 6, "suppressed": False}
        assert split["matrix"]["respondents"] == {"value": 5, "suppressed": False}
        assert split["telegram"]["chats"] == 1 and split["matrix"]["chats"] == 1
        table = animabot("stats", "campaign", started.id, "--database",
                         str(settings.storage.database), cwd=tmp_path).stdout
        assert "Par plateforme" in table and "Telegram" in table and "Matrix" in table
        assert "@" not in result.stdout + table  # no Matrix id, no username in an export


async def test_an_announcement_reaches_the_telegram_group_and_the_matrix_room(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,  # noqa: F811
    new_user: Callable[..., MatrixUser], emulator: BotApiEmulator,  # noqa: F811
) -> None:
    async with both_platforms(tmp_path, synapse, matrix, new_user, emulator) as world:
        dm = await world.dm(world.facilitator)
        await world.say(world.facilitator, dm, "!annonce centre Vide-grenier dimanche 10h")
        telegram_texts = [m.text for m in emulator.messages_to(-1001)]
        assert telegram_texts == ["Vide-grenier dimanche 10h"]
        room = await world.bot_messages(world.facilitator, world.room)
        assert [e["content"]["body"] for e in room] == ["Vide-grenier dimanche 10h"]


MINUTES = "Le compte rendu de la réunion est en ligne."
FOLLOW_UP = {
    "id": "reunion", "title": "Réunion",
    "steps": [
        {"id": "viendrez", "kind": "poll", "at": "+0", "closes": "+1d",
         "question": "Viendrez-vous ?",
         "options": ["Oui", "Non, mais je veux le compte rendu", "Non"]},
        {"id": "compte-rendu", "kind": "announcement", "at": "after viendrez closes +1h",
         "text": MINUTES, "audience": {"poll": "viendrez", "options": [2]}},
    ],
}


async def _telegram_onboard(
    world: MatrixWorld, emulator: BotApiEmulator, user: int,  # noqa: F811
) -> None:
    """/start in private, consent, then the neighbourhood: each answer sent by the worker."""

    async def replied(count: int) -> None:
        async def arrived() -> bool:
            await world.worker.drain()
            return len(emulator.messages_to(user)) >= count
        await until(arrived, 20, f"the bot's message {count} to a Telegram resident")

    def buttons(message: object) -> list[tuple[str, str]]:
        markup = getattr(message, "reply_markup", None) or {}
        return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", [])
                for b in row]

    emulator.user_sends(user, user, "/start")
    await replied(1)
    welcome = emulator.messages_to(user)[-1]
    emulator.user_presses(user, user, welcome.message_id, buttons(welcome)[0][1])
    await replied(2)
    choice = emulator.messages_to(user)[-1]
    data = next(d for label, d in buttons(choice) if label == "Centre")
    emulator.user_presses(user, user, choice.message_id, data)
    await replied(3)


async def test_a_follow_up_reaches_exactly_those_who_chose_the_option_on_both_platforms(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,  # noqa: F811
    new_user: Callable[..., MatrixUser], emulator: BotApiEmulator,  # noqa: F811
) -> None:
    async with both_platforms(tmp_path, synapse, matrix, new_user, emulator) as world:
        people = [new_user(f"f{i}") for i in range(4)]
        dms = [await world.onboard(person) for person in people]
        for user in (1, 2, 3):
            await _telegram_onboard(world, emulator, user)
        await world.core.campaigns.start(scenario(FOLLOW_UP), ["centre"])
        await world.worker.drain()

        group_poll = next(m for m in emulator.messages_to(-1001) if m.reply_markup)
        buttons = [b["callback_data"] for row in group_poll.reply_markup["inline_keyboard"]
                   for b in row]
        chosen = {1: 1, 2: 1, 3: 0, 4: 1}  # user 4 never wrote to the bot: unreachable
        for user, option in chosen.items():
            emulator.user_presses(user, -1001, group_poll.message_id, buttons[option])
        for index, (person, dm) in enumerate(zip(people, dms, strict=True)):
            poll = await matrix.wait_for_event(
                person, dm, lambda e: e["type"] == "org.matrix.msc3381.poll.start")
            answers = poll["content"]["org.matrix.msc3381.poll.start"]["answers"]
            option = 1 if index < 2 else 2
            await world.handled(await matrix.vote_unstable(person, dm, poll["event_id"],
                                                           [answers[option]["id"]]))
        await emulator.wait_for(lambda: len(emulator.callback_answers) >= 6 + 4, timeout=20)

        async def counted() -> bool:
            row = await world.core.database.fetch_one("SELECT COUNT(*) AS n FROM answer")
            return row is not None and row["n"] == 8

        await until(counted, 20, "every vote to be recorded")
        world.clock.advance(timedelta(days=1, hours=1, minutes=1))
        await world.worker.drain()

        telegram = {m.chat_id for m in emulator.sent if MINUTES in (m.text or "")}
        assert telegram == {1, 2}
        for index, (person, dm) in enumerate(zip(people, dms, strict=True)):
            texts = [e["content"].get("body", "") for e in await world.bot_messages(person, dm)]
            assert any(MINUTES in t for t in texts) == (index < 2)
        room = await world.bot_messages(world.facilitator, world.room)
        assert not any(MINUTES in e["content"].get("body", "") for e in room)
