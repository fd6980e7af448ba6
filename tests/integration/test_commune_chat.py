"""Facilitators' chat commands per commune, through the real conversation handler: what a
commune's own bot (``telegram.villeneuve``) lets its facilitators see beside the
deployment's bot (``telegram``), the group admin's rule kept on a commune's bot, and ideas
without a neighbourhood told to the commune whose bot took them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from animabot.chat.events import ChatRef, CommandReceived, Sender
from animabot.clock import FakeClock
from animabot.config import Settings, load_settings
from animabot.core import Core, open_core
from animabot.store.ideas import IdeaRepository

from ..conftest import T0, TEST_KEY, ScriptedAdapter
from ..helpers import POLL_SCENARIO, scenario

CONFIG = """[delivery]
quiet_hours = ""
closed_days = []
[[neighbourhoods]]
id = "centre"
name = "Centre"
commune = "villeneuve"
endpoints = { telegram = ["-1001"] }
[[neighbourhoods]]
id = "gare"
name = "Gare"
commune = "villeneuve"
endpoints = { telegram = ["-1003"] }
[[neighbourhoods]]
id = "bourg-haut"
name = "Bourg haut"
commune = "bourg"
endpoints = { telegram = ["-1002"] }
[communes.villeneuve]
name = "Villeneuve"
[communes.villeneuve.telegram]
enabled = true
token = "1:v"
[communes.bourg]
name = "Bourg"
[communes.bourg.telegram]
enabled = true
token = "2:b"
[communes.agglo]
name = "Agglomération"
members = ["villeneuve", "bourg"]
"""
BOTS = ("telegram", "telegram.villeneuve", "telegram.bourg")
ANNOUNCEMENT = {**POLL_SCENARIO, "steps": POLL_SCENARIO["steps"][:1]}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    loaded = load_settings(path, database=tmp_path / "animabot.db")
    loaded.privacy.key = SecretStr(TEST_KEY)
    return loaded


@pytest.fixture
async def core(settings: Settings) -> AsyncIterator[Core]:
    async with open_core(settings, FakeClock(T0)) as opened:
        yield opened


class Chat:
    """Commands typed to one bot, as its adapter would hand them over, and its replies."""

    def __init__(self, core: Core, adapters: dict[str, ScriptedAdapter]) -> None:
        self.core, self.adapters, self.count = core, adapters, 0

    async def says(self, bot: str, user: str, text: str, *, facilitator: bool = True,
                   group: str | None = None) -> str:
        self.count += 1
        word, *args = text.lstrip("/").split()
        where = ChatRef(bot, group, False) if group else ChatRef(bot, "", True)
        sender = Sender(self.core.pseudonymize(bot, user), "fr",
                        private_address=None if group else user,
                        is_facilitator=facilitator, facilitator_here_only=group is not None)
        adapter = self.adapters[bot]
        before = len(adapter.sent)
        await self.core.conversation.handle(CommandReceived(
            f"ev{self.count}", where, sender, self.core.services.clock.now(), command=word,
            args=tuple(args)))
        await self.core.worker(dict(self.adapters)).drain()
        return "\n".join(adapter.texts()[before:])


@pytest.fixture
def chat(core: Core) -> Chat:
    return Chat(core, {bot: ScriptedAdapter(platform=bot) for bot in BOTS})


async def test_the_deployments_bot_sees_every_commune_and_a_communes_bot_its_own(
    core: Core, chat: Chat,
) -> None:
    centre = await core.campaigns.start(scenario(ANNOUNCEMENT), ["centre"])
    bourg = await core.campaigns.start(scenario(ANNOUNCEMENT), ["bourg-haut"])
    agglo = await core.campaigns.start(scenario(ANNOUNCEMENT), ["centre", "bourg-haut"])
    everything = await chat.says("telegram", "7", "/campagnes")
    assert all(c.id in everything for c in (centre, bourg, agglo)), everything
    own = await chat.says("telegram.villeneuve", "7", "/campagnes")
    assert centre.id in own and bourg.id not in own and agglo.id not in own, own
    # The deployment's facilitator may name the intercommunal body: both communes.
    said = await chat.says("telegram", "7", "/annonce agglo Réunion jeudi")
    assert "3 discussions" in said, said
    said = await chat.says("telegram", "7", f"/stats {bourg.id}")
    assert bourg.id in said and "Non effectué" not in said, said
    # /quartiers: every neighbourhood on the deployment's bot, its own on a commune's.
    said = await chat.says("telegram", "7", "/quartiers")
    assert "bourg-haut" in said and "gare" in said, said
    said = await chat.says("telegram.bourg", "7", "/quartiers")
    assert "bourg-haut" in said and "centre" not in said and "gare" not in said, said


async def test_a_group_admin_on_a_communes_bot_still_acts_on_the_group_only(
    core: Core, chat: Chat,
) -> None:
    refusal = "En tant qu'administrateur de ce groupe"
    # Villeneuve has two neighbourhoods: its id names more than this group's.
    said = await chat.says("telegram.villeneuve", "8", "/annonce villeneuve Bonjour",
                           group="-1001")
    assert said.startswith(refusal), said
    said = await chat.says("telegram.villeneuve", "8", "/annonce centre Bonjour",
                           group="-1001")
    assert "part vers 1 discussion" in said, said
    # Bourg has one: its id is this group's neighbourhood.
    said = await chat.says("telegram.bourg", "8", "/annonce bourg Bonjour", group="-1002")
    assert "part vers 1 discussion" in said, said


async def test_an_idea_without_neighbourhood_belongs_to_the_commune_whose_bot_took_it(
    core: Core, chat: Chat,
) -> None:
    await chat.says("telegram.bourg", "5", "/start", facilitator=False)
    await chat.says("telegram.bourg", "5", "/idee Un lavoir rénové", facilitator=False)
    [idea] = await IdeaRepository(core.database).find()
    assert idea.neighbourhood_id is None and idea.platform == "telegram.bourg"
    for bot, user in (("telegram.bourg", "6"), ("telegram", "6")):
        await chat.says(bot, user, "/start")
        said = await chat.says(bot, user, "/idees")
        assert "Un lavoir rénové" in said, (bot, said)
    await chat.says("telegram.villeneuve", "6", "/start")
    said = await chat.says("telegram.villeneuve", "6", "/idees")
    assert "lavoir" not in said and "Aucune idée" in said, said
    said = await chat.says("telegram.villeneuve", "6", f"/refuser {idea.id} doublon")
    assert "n’existe plus" in said or "n'existe plus" in said, said
