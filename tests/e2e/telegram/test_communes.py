"""Two communes in one deployment, each with its own Telegram bot (issue 14, item 4).

Two Bot API emulators stand for the two bots (each server takes one token), and the real
composition path builds them (``enabled_bots``: each bot reads its commune's table,
facilitators and neighbourhoods) over one core. A campaign to a commune's neighbourhood goes
out through its own bot only; an intercommunal one through each commune's bot; a facilitator
of one commune, writing to its bot, neither sees nor acts on the other's campaigns, figures,
ideas or reports; and one Telegram user is two unlinked residents to the two bots.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from animabot.campaigns.service import CampaignService
from animabot.chat.contract import ChatAdapter
from animabot.chat.registry import create_adapter, enabled_bots
from animabot.clock import FakeClock
from animabot.config import Settings, load_settings
from animabot.config.communes import expand_targets
from animabot.core import Core, open_core
from animabot.delivery.worker import DeliveryWorker
from animabot.store.problem_reports import NewProblemReport, ProblemReportRepository
from animabot.store.state import PlatformState

from ...conftest import T0, TEST_KEY
from ...helpers import POLL_SCENARIO, scenario, until
from ...support.telegram_emulator import BotApiEmulator
from ..conftest import animabot, base_config

VILLENEUVE_TOKEN = "111111111:AAVilleneuveTokenForTests_0123456789"
BOURG_TOKEN = "222222222:AABourgTokenForTests_0123456789abcdef"
VILLENEUVE_GROUP, BOURG_GROUP = -1001, -1002
FANNY, BRUNO = 900, 901  # facilitators of Villeneuve and of Bourg
RESIDENTS = range(1, 7)
ANNOUNCEMENT = {**POLL_SCENARIO, "steps": POLL_SCENARIO["steps"][:1]}
FAST = """poll_timeout = 1
per_chat_per_second = 1000
group_per_minute = 60000
global_per_second = 1000
"""


def communes_config(tmp_path: Path, villeneuve_url: str, bourg_url: str) -> str:
    """Villeneuve and Bourg, each with its own Telegram bot on its own server, and the
    intercommunal body that has both as members; no deployment-wide bot."""
    return base_config(tmp_path) + f"""
[[neighbourhoods]]
id = "centre"
name = "Centre"
commune = "villeneuve"
endpoints = {{ telegram = ["{VILLENEUVE_GROUP}"] }}
[[neighbourhoods]]
id = "bourg-haut"
name = "Bourg haut"
commune = "bourg"
endpoints = {{ telegram = ["{BOURG_GROUP}"] }}

[communes.villeneuve]
name = "Villeneuve"
[communes.villeneuve.telegram]
enabled = true
token = "{VILLENEUVE_TOKEN}"
base_url = "{villeneuve_url}"
{FAST}
[communes.villeneuve.facilitators]
telegram = [{FANNY}]

[communes.bourg]
name = "Bourg"
[communes.bourg.telegram]
enabled = true
token = "{BOURG_TOKEN}"
base_url = "{bourg_url}"
{FAST}
[communes.bourg.facilitators]
telegram = [{BRUNO}]

[communes.agglo]
name = "Agglomération"
members = ["villeneuve", "bourg"]
"""


@dataclass
class Communes:
    villeneuve: BotApiEmulator
    bourg: BotApiEmulator
    settings: Settings
    core: Core
    adapters: dict[str, ChatAdapter]
    states: dict[str, PlatformState]
    worker: DeliveryWorker
    clock: FakeClock

    async def settle(self, timeout: float = 15.0) -> None:
        """Every update queued so far on both servers handled, then what is due sent."""
        for bot, emulator in (("telegram.villeneuve", self.villeneuve),
                              ("telegram.bourg", self.bourg)):
            target, state = emulator.last_update_id, self.states[bot]

            async def handled(state: PlatformState = state, target: int = target) -> bool:
                return int(await state.get("offset") or 0) > target

            await until(handled, timeout, f"{bot} to handle its updates")
        await self.worker.drain()

    def texts(self, emulator: BotApiEmulator, chat_id: int) -> list[str]:
        return [m.text for m in emulator.messages_to(chat_id) if m.text]

    def everything(self, emulator: BotApiEmulator) -> str:
        """All a server's bot ever sent, in any chat."""
        return "\n".join(m.text or "" for m in emulator.state.sent)

    async def says(self, emulator: BotApiEmulator, user: int, text: str) -> str:
        """``user`` writes ``text`` to that bot in private; the bot's answers, once sent."""
        before = len(emulator.messages_to(user))
        emulator.user_sends(user, user, text)
        await self.settle()
        return "\n".join(m.text or "" for m in emulator.messages_to(user)[before:])


def _people(emulator: BotApiEmulator, group: int, title: str, facilitator: int) -> None:
    emulator.add_user(FANNY, "Fanny")
    emulator.add_user(BRUNO, "Bruno")
    for user in RESIDENTS:
        emulator.add_user(user, f"Habitant {user}", language_code="fr")
    emulator.add_group(group, title, [facilitator, *RESIDENTS], admins=[facilitator])
    emulator.add_bot_to_group(group, facilitator)


@pytest.fixture
async def communes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Communes]:
    monkeypatch.setenv("ANIMABOT_PRIVACY__KEY", TEST_KEY)
    async with BotApiEmulator(VILLENEUVE_TOKEN, bot_username="villeneuve_bot") as villeneuve, \
            BotApiEmulator(BOURG_TOKEN, bot_username="bourg_bot") as bourg:
        _people(villeneuve, VILLENEUVE_GROUP, "Centre de Villeneuve", FANNY)
        _people(bourg, BOURG_GROUP, "Bourg haut", BRUNO)
        config = tmp_path / "config.toml"
        config.write_text(communes_config(tmp_path, villeneuve.base_url, bourg.base_url),
                          encoding="utf-8")
        settings = load_settings(config)
        clock = FakeClock(T0)
        async with open_core(settings, clock) as core:
            bots = enabled_bots(settings)  # what `animabot run` starts
            assert sorted(bots) == ["telegram.bourg", "telegram.villeneuve"]
            adapters: dict[str, ChatAdapter] = {}
            states: dict[str, PlatformState] = {}
            for name, (factory, read) in bots.items():
                states[name] = PlatformState(core.database, name)
                adapters[name] = create_adapter(factory, read, core.pseudonymize,
                                                state=states[name], name=name)
            worker = core.worker(adapters)
            await worker.recover()
            for adapter in adapters.values():
                await adapter.start(core.conversation.handle)
            world = Communes(villeneuve, bourg, settings, core, adapters, states, worker,
                             clock)
            try:
                await world.settle()  # the bots were added to their groups
                for user, emulator in ((FANNY, villeneuve), (BRUNO, bourg)):
                    await world.says(emulator, user, "/start")
                yield world
            finally:
                for adapter in adapters.values():
                    await adapter.stop()


async def test_each_communes_campaign_goes_out_through_its_own_bot_only(
    communes: Communes,
) -> None:
    villeneuve, bourg = communes.villeneuve, communes.bourg
    said = await communes.says(villeneuve, FANNY, "/annonce centre Marché samedi sur la place")
    assert "part vers 1 discussion" in said, said
    assert any("Marché samedi" in t for t in communes.texts(villeneuve, VILLENEUVE_GROUP))
    assert "Marché samedi" not in communes.everything(bourg)
    # A commune's id stands for its neighbourhoods.
    said = await communes.says(bourg, BRUNO, "/annonce bourg Fête du bourg dimanche")
    assert "part vers 1 discussion" in said, said
    assert any("Fête du bourg" in t for t in communes.texts(bourg, BOURG_GROUP))
    assert "Fête du bourg" not in communes.everything(villeneuve)
    # The intercommunal body's id (what `--to agglo` gives) reaches both groups, each
    # through its own commune's bot.
    targets = expand_targets(communes.settings, ["agglo"])
    assert targets == ["centre", "bourg-haut"]
    intercommunal = {**ANNOUNCEMENT, "id": "agglo", "steps": [
        {**ANNOUNCEMENT["steps"][0], "text": {"fr": "Réunion de l'agglomération"}}]}
    await communes.core.campaigns.start(scenario(intercommunal), targets)
    await communes.worker.drain()
    for emulator, group in ((villeneuve, VILLENEUVE_GROUP), (bourg, BOURG_GROUP)):
        sent = communes.texts(emulator, group)
        assert sum("Réunion de l" in t for t in sent) == 1, sent
    # Each bot wrote only to its own commune's group (and its own facilitator).
    assert {m.chat_id for m in villeneuve.state.sent} <= {VILLENEUVE_GROUP, FANNY}
    assert {m.chat_id for m in bourg.state.sent} <= {BOURG_GROUP, BRUNO}


async def test_a_communes_facilitator_neither_sees_nor_acts_on_anothers(
    communes: Communes,
) -> None:
    villeneuve, bourg, core = communes.villeneuve, communes.bourg, communes.core
    own = await core.campaigns.start(scenario(ANNOUNCEMENT), ["centre"])
    theirs = await core.campaigns.start(scenario(POLL_SCENARIO), ["bourg-haut"])
    both = await core.campaigns.start(scenario(ANNOUNCEMENT), ["centre", "bourg-haut"])
    stricter = CampaignService(core.database, communes.settings.window(), communes.clock,
                               approval_above=0)
    waiting = await stricter.start(scenario(ANNOUNCEMENT), ["bourg-haut"], author="someone")
    assert waiting.pending_approval
    await communes.worker.drain()

    listed = await communes.says(villeneuve, FANNY, "/campagnes")
    assert own.id in listed
    assert theirs.id not in listed and waiting.id not in listed
    assert both.id not in listed  # an intercommunal campaign is no single commune's
    for command in (f"/stats {theirs.id}", f"/annuler {theirs.id}",
                    f"/approuver {waiting.id}", f"/stats {both.id}"):
        said = await communes.says(villeneuve, FANNY, command)
        campaign_id = command.split()[1]
        assert said.startswith("Non effectué") and f"aucune campagne '{campaign_id}'" in said, said
    assert (await core.campaigns.get(theirs.id)).status != "cancelled"
    assert (await core.campaigns.get(waiting.id)).status == "pending_approval"
    # Bourg's own facilitator, on Bourg's bot, does see and approve it.
    said = await communes.says(bourg, BRUNO, f"/approuver {waiting.id}")
    assert "approuvée" in said, said
    said = await communes.says(bourg, BRUNO, f"/stats {theirs.id}")
    assert theirs.id in said and not said.startswith("Non effectué"), said

    # Targets beyond the commune are refused, as unknown ones, whatever names them.
    for command in ("/programmer jardin-partage bourg-haut", "/annonce bourg-haut Coucou",
                    "/annonce agglo Coucou", "/annonce centre,bourg-haut Coucou"):
        said = await communes.says(villeneuve, FANNY, command)
        assert said.startswith("Non effectué") and "bourg-haut" in said, said
        assert "connus : centre" in said, said
    assert "Coucou" not in communes.everything(bourg)

    # Neighbourhoods: Villeneuve's only, for its facilitator and for its residents.
    said = await communes.says(villeneuve, FANNY, "/quartiers")
    assert "centre" in said and "bourg-haut" not in said, said
    await communes.says(villeneuve, 1, "/start")
    await communes.says(villeneuve, 1, "/quartier")
    picker = villeneuve.messages_to(1)[-1].reply_markup or {}
    labels = [button["text"] for row in picker.get("inline_keyboard", []) for button in row]
    assert labels == ["Centre"], picker
    said = await communes.says(villeneuve, 1, "/quartier bourg-haut")
    assert "Bourg haut" not in said, said  # the picker again, Villeneuve's only
    resident = await core.services.residents.get(core.pseudonymize("telegram.villeneuve", "1"))
    assert resident is not None and resident.neighbourhood_id is None

    # A new group of Villeneuve's bot is linked to Villeneuve's neighbourhoods only.
    villeneuve.add_group(-1003, "Rue haute", [FANNY, 1], admins=[FANNY])
    villeneuve.add_bot_to_group(-1003, FANNY)
    await communes.settle()
    villeneuve.user_sends(FANNY, -1003, "/quartier bourg-haut")
    await communes.settle()
    assert communes.texts(villeneuve, -1003)[-1].endswith(": centre"), \
        communes.texts(villeneuve, -1003)
    chat = await core.services.chats.find("telegram.villeneuve", "-1003")
    assert chat is not None and chat.neighbourhood_id is None

    # Ideas and reports: a resident of Bourg writes to Bourg's bot.
    await communes.says(bourg, 2, "/start")
    await communes.says(bourg, 2, "/quartier bourg-haut")
    await communes.says(bourg, 2, "/idee Un banc près du lavoir")
    await communes.says(villeneuve, 3, "/start")
    await communes.says(villeneuve, 3, "/quartier centre")
    await communes.says(villeneuve, 3, "/idee Des arbres rue haute")
    said = await communes.says(villeneuve, FANNY, "/idees tout")
    assert "Des arbres rue haute" in said and "lavoir" not in said, said
    assert "1 en attente" in said, said
    bourg_idea = await core.database.fetch_one(
        "SELECT id FROM idea WHERE platform = 'telegram.bourg'")
    assert bourg_idea is not None
    said = await communes.says(villeneuve, FANNY, f"/refuser {bourg_idea['id']} hors sujet")
    assert "n’existe plus" in said or "n'existe plus" in said, said
    said = await communes.says(bourg, BRUNO, "/idees")
    assert "lavoir" in said and "arbres" not in said, said

    reporter = core.pseudonymize("telegram.bourg", "2")
    report = await ProblemReportRepository(core.database).add(NewProblemReport(
        pseudonym=reporter, platform="telegram.bourg", neighbourhood_id="bourg-haut",
        category="voirie", text="Nid de poule devant la mairie"), communes.clock.now())
    said = await communes.says(villeneuve, FANNY, "/signalements")
    assert "Nid de poule" not in said, said
    said = await communes.says(villeneuve, FANNY, f"/statut {report.id} resolu")
    assert said == f"Non effectué : aucun signalement n°{report.id}", said
    found = await ProblemReportRepository(core.database).get(report.id)
    assert found is not None and found.status.value == "recu"
    said = await communes.says(bourg, BRUNO, "/signalements")
    assert "Nid de poule" in said, said


async def test_one_telegram_user_is_two_unlinked_residents_to_two_communes_bots(
    communes: Communes,
) -> None:
    core = communes.core
    await communes.says(communes.villeneuve, 5, "/start")
    await communes.says(communes.bourg, 5, "/start")
    seen = {core.pseudonymize(bot, "5") for bot in ("telegram.villeneuve", "telegram.bourg")}
    assert len(seen) == 2
    rows = await core.database.fetch_all(
        "SELECT pseudonym, platform FROM resident WHERE pseudonym IN (?, ?)", tuple(seen))
    assert sorted(row["platform"] for row in rows) == ["telegram.bourg", "telegram.villeneuve"]
    # Fanny is a facilitator to Villeneuve's bot only: Bourg's bot refuses her commands.
    await communes.says(communes.bourg, FANNY, "/start")
    said = await communes.says(communes.bourg, FANNY, "/campagnes")
    assert said == "Désolé, cette commande est réservée aux animateurs.", said


@pytest.mark.slow
def test_config_check_reads_communes_bots_and_locates_their_faults(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    text = communes_config(tmp_path, "http://127.0.0.1:1/bot", "http://127.0.0.1:2/bot")
    config.write_text(text, encoding="utf-8")
    checked = animabot("config", "check", "--config", str(config), check=False)
    assert checked.returncode == 0, checked.stderr
    # A commune bot's own fault, and two Matrix bots sharing their key store.
    broken = text.replace(f'token = "{BOURG_TOKEN}"\n', "") + f"""
[communes.villeneuve.matrix]
enabled = true
homeserver = "https://matrix.villeneuve.fr"
user_id = "@bot:villeneuve.fr"
access_token = "syt_v"
pickle_key = "villeneuve-pickle-key-0123"
cross_signing_seeds_file = "{tmp_path / 'villeneuve-seeds.json'}"
store_path = "{tmp_path / 'store'}"
[communes.bourg.matrix]
enabled = true
homeserver = "https://matrix.bourg.fr"
user_id = "@bot:bourg.fr"
access_token = "syt_b"
pickle_key = "bourg-pickle-key-0123456"
cross_signing_seeds_file = "{tmp_path / 'bourg-seeds.json'}"
store_path = "{tmp_path / 'store'}"
"""
    config.write_text(broken, encoding="utf-8")
    lines = broken.splitlines()
    checked = animabot("config", "check", "--config", str(config), check=False)
    assert checked.returncode != 0
    table = lines.index("[communes.bourg.telegram]") + 1
    assert f"{config}:{table}: communes.bourg.telegram.token" in checked.stderr, checked.stderr
    store = lines.index(f'store_path = "{tmp_path / "store"}"') + 1
    assert f"{config}:{store}: communes.villeneuve.matrix.store_path" in checked.stderr, \
        checked.stderr
    assert "communes.bourg.matrix" in checked.stderr  # whose it already is
    assert checked.stderr.count("correction") == 2, checked.stderr  # nothing else
