"""A lost chat is told to its commune's facilitators and the deployment's, never to another
commune's: the group's name is that commune's business."""

from __future__ import annotations

from datetime import UTC, datetime

from animabot.delivery.notices import chat_lost
from animabot.store.chats import ChatRepository
from animabot.store.database import Database
from animabot.store.facilitators import FacilitatorRepository
from animabot.store.residents import ResidentRepository

from ..backends import both_backends  # noqa: F401

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


async def test_a_lost_chat_is_told_to_its_commune_and_the_deployment(
    database: Database,
) -> None:
    residents, facilitators = ResidentRepository(database), FacilitatorRepository(database)
    for pseudonym, bot in (("fac-v", "telegram.villeneuve"), ("fac-b", "telegram.bourg"),
                           ("fac-all", "telegram")):
        await residents.touch(pseudonym, bot, T0, private_address=f"{pseudonym}-chat")
        await facilitators.remember(pseudonym, T0)
    chat = await ChatRepository(database).register("telegram.villeneuve", "-1001", "Centre", T0)

    await chat_lost(database, chat.id, "kicked", T0)

    rows = await database.fetch_all(
        "SELECT pseudonym FROM delivery WHERE part = 'notice' ORDER BY pseudonym")
    assert [row["pseudonym"] for row in rows] == ["fac-all", "fac-v"]
