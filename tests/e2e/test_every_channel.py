"""One campaign to a neighbourhood reached on every channel at once: its Telegram group (the
Bot API emulator), its Matrix room (the session's real Synapse), its e-mail residents (a real
SMTP server on 127.0.0.1, votes through the personal link's page over HTTP) and its SMS
residents (the gateway emulator, replies by number through the signed webhook). The agent's
`stats campaign --format json` adds them up with a per-channel split, suppression applied."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from adapters.email.adapter import EmailAdapter
from adapters.email.settings import email_settings
from adapters.sms.adapter import SmsAdapter
from adapters.sms.settings import sms_settings
from adapters.telegram.adapter import TelegramAdapter
from animabot.config import NeighbourhoodSettings, Settings
from animabot.store.address_book import AddressBook, Enrolment
from animabot.store.state import PlatformState
from animabot.web.public.app import build_public_app, public_state, serve_public

from ..conftest import TEST_KEY
from ..helpers import until
from ..support.matrix import MatrixUser, Residents, SynapseServer
from ..support.sms_gateway import SmsGatewayEmulator
from ..support.smtp_server import SmtpServer, smtp_server
from ..support.telegram_emulator import BotApiEmulator
from .conftest import animabot
from .matrix.conftest import matrix, new_user, synapse  # noqa: F401  (fixtures)
from .matrix.world import make_world
from .telegram.conftest import emulator  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow
MAILS = ("ana@example.org", "bob@example.org")
SCENARIO = """
id = "jardin"
title = "Un jardin ?"
[[steps]]
id = "envie"
kind = "poll"
at = "+0"
question.fr = "Un jardin ?"
question.en = "A garden?"
options.fr = ["Oui", "Non", "Sans avis"]
options.en = ["Yes", "No", "No opinion"]
closes = "+2d"
"""
PHONES = ("+33612345678", "+33698765432")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from smtp_server()


def _links(mail: EmailMessage, public: str) -> list[str]:
    text = mail.get_body(("plain",))
    assert text is not None
    return re.findall(re.escape(public) + r"/r/\S+", text.get_content())


async def _vote_on_the_page(link: str, option: int) -> str:
    """A resident's browser without JavaScript: the page's form, then its POST."""
    async with aiohttp.ClientSession() as http:
        async with http.get(link) as page:
            html = await page.text()
        fields = dict(re.findall(r'name="(csrf_token|nonce|lang)" value="([^"]*)"', html))
        async with http.post(link, data={**fields, "option": str(option)}) as response:
            assert response.status == 200
            return await response.text()


async def test_one_scenario_on_telegram_matrix_email_and_sms_at_once(
    tmp_path: Path, synapse: SynapseServer, matrix: Residents,  # noqa: F811
    new_user: Callable[..., MatrixUser], emulator: BotApiEmulator,  # noqa: F811
    smtp: SmtpServer,
) -> None:
    web_port, sms_port = free_port(), free_port()
    public = f"http://127.0.0.1:{web_port}"
    async with SmsGatewayEmulator(retry_base=0.05, retry_count=5) as gateway, \
            AsyncExitStack() as stack:

        def configure(settings: Settings, room: str) -> None:
            settings.privacy.min_cell = 2  # figures visible, a single SMS answer hidden
            settings.web.public_url = public
            settings.telegram.enabled = True
            settings.telegram.token = SecretStr(emulator.token)
            settings.telegram.base_url = emulator.base_url
            settings.telegram.poll_timeout = 1
            mail = email_settings(settings)
            mail.enabled, mail.smtp_host, mail.smtp_port = True, "127.0.0.1", smtp.port
            mail.starttls, mail.from_address = False, "participation@ville.test"
            mail.per_minute = 6000
            sms = sms_settings(settings)
            sms.enabled, sms.gateway_url = True, gateway.cloud_url
            sms.username = gateway.username
            sms.password = SecretStr(gateway.password)
            sms.webhook_secret = SecretStr(gateway.signing_key)
            sms.webhook_url = f"http://127.0.0.1:{sms_port}/sms/webhook"
            sms.webhook_listen = f"127.0.0.1:{sms_port}"
            sms.max_per_window = 300
            settings.neighbourhoods = [NeighbourhoodSettings(
                id="centre", name="Centre", matrix_rooms=[room], telegram_chats=["-1001"])]

        world = await make_world(tmp_path, synapse, matrix, new_user, configure=configure)
        stack.push_async_callback(world.close)
        core, settings, now = world.core, world.settings, world.clock.now()
        await core.services.chats.register("telegram", "-1001", "", now, "centre")
        await AddressBook(core.database).enrol_all(
            [Enrolment(core.pseudonymize("email", a), "email", a, "centre", "fr",
                       now - timedelta(days=30)) for a in MAILS]
            + [Enrolment(core.pseudonymize("sms", p), "sms", p, "centre", "fr",
                         now - timedelta(days=30)) for p in PHONES], now)
        telegram = TelegramAdapter(settings, core.pseudonymize, None)
        mail = EmailAdapter(settings, world.clock)
        sms = SmsAdapter(settings, core.pseudonymize, PlatformState(core.database, "sms"))
        adapters: dict[str, Any] = {"matrix": world.adapter, "telegram": telegram,
                                    "email": mail, "sms": sms}
        for adapter in (telegram, mail, sms):
            await adapter.start(core.conversation.handle)
            stack.push_async_callback(adapter.stop)
        await serve_public(stack, build_public_app(public_state(core, {})), "127.0.0.1",
                           web_port)
        world.worker = core.worker(adapters)
        people = [new_user(f"c{i}") for i in range(2)]
        dms = [await world.onboard(person) for person in people]

        # The agent's command, on the bot's database: every channel of the neighbourhood,
        # at the test clock's time (T0, 10:00 in Paris).
        config = tmp_path / "agent.toml"
        config.write_text(f"""
[storage]
database = "{settings.storage.database}"
[privacy]
key = "{TEST_KEY}"
min_cell = 2
[[neighbourhoods]]
id = "centre"
name = "Centre"
""", encoding="utf-8")
        (tmp_path / "jardin.toml").write_text(SCENARIO, encoding="utf-8")
        started = json.loads(animabot(
            "campaign", "start", str(tmp_path / "jardin.toml"), "--to", "centre", "--at",
            "2026-12-01 10:00", "--json", "--config", str(config), cwd=tmp_path).stdout)

        async def sent_everywhere() -> bool:
            await world.worker.drain()
            return len(emulator.messages_to(-1001)) >= 1 and all(
                gateway.sent_to(phone) for phone in PHONES) and all(
                smtp.handler.to(address) for address in MAILS)

        await until(sent_everywhere, 30, "the poll on every channel")

        # Telegram: three residents press the group poll's buttons (Oui, Non, Oui).
        group_poll = emulator.messages_to(-1001)[0]
        buttons = [b["callback_data"] for row in group_poll.reply_markup["inline_keyboard"]
                   for b in row]
        for user in (1, 2, 3):
            emulator.user_presses(user, -1001, group_poll.message_id, buttons[(user + 1) % 2])
        # Matrix: two residents answer the poll in their private rooms (Sans avis).
        for person, dm in zip(people, dms, strict=True):
            poll = await matrix.wait_for_event(
                person, dm, lambda e: e["type"] == "org.matrix.msc3381.poll.start")
            answer = poll["content"]["org.matrix.msc3381.poll.start"]["answers"][2]["id"]
            await world.handled(await matrix.vote_unstable(person, dm, poll["event_id"],
                                                           [answer]))
        # E-mail: both residents vote on the poll's page (a GET shows, the POST votes).
        for address in MAILS:
            polls = [m for m in smtp.handler.to(address) if "Un jardin" in str(m["Subject"])]
            assert len(polls) == 1, address
            option_links = _links(polls[0], public)[:3]
            assert "Réponse enregistrée" in await _vote_on_the_page(option_links[1], 1)
        # SMS: one resident replies with a number; the other does not answer.
        texts = gateway.sent_to(PHONES[0])
        assert any("Répondez 1, 2 ou 3" in text for text in texts), texts
        assert any("Répondez 1, 2 ou 3" in text for text in gateway.sent_to(PHONES[1]))
        replied = gateway.resident_sends("06 12 34 56 78", "1")
        await gateway.wait_until(lambda: replied in gateway.acknowledged)
        await emulator.wait_for(lambda: len(emulator.callback_answers) >= 3, timeout=20)

        async def counted() -> bool:
            row = await core.database.fetch_one("SELECT COUNT(*) AS n FROM answer")
            return row is not None and row["n"] == 8

        await until(counted, 20, "every vote from every channel to be recorded")

        result = animabot("stats", "campaign", started["id"], "--format", "json",
                          "--config", str(config), cwd=tmp_path)
        poll_stats = json.loads(result.stdout)["polls"][0]
        assert poll_stats["respondents"] == {"value": 8, "suppressed": False}
        split = poll_stats["platforms"]
        assert set(split) == {"telegram", "matrix", "email", "sms"}
        assert split["email"]["chats"] == 1 and split["sms"]["chats"] == 1
        assert split["email"]["reach"] == 2 and split["sms"]["reach"] == 2
        # The one SMS answer is under min_cell: hidden, and so is one more share, or the
        # total would give it back.
        assert split["sms"]["respondents"] == {"value": None, "suppressed": True}
        truth = {"telegram": 3, "matrix": 2, "email": 2}
        shown = {name: split[name]["respondents"]["value"] for name in truth
                 if not split[name]["respondents"]["suppressed"]}
        assert len(shown) == 2 and all(shown[name] == truth[name] for name in shown)
        assert "@" not in result.stdout and "+336" not in result.stdout
        table = animabot("stats", "campaign", started["id"], "--config", str(config),
                         cwd=tmp_path).stdout
        csv = animabot("stats", "campaign", started["id"], "--format", "csv",
                       "--config", str(config), cwd=tmp_path).stdout
        report = tmp_path / "rapport.html"
        animabot("report", started["id"], "--out", str(report), "--config", str(config),
                 cwd=tmp_path)
        html = report.read_text(encoding="utf-8")
        assert "< 2" in table and "&lt; 2" in html  # the hidden cells, as each one says it
        assert any(line.endswith(",true") or line.endswith(",True")
                   for line in csv.splitlines() if "sms" in line.lower()), csv
        assert "Courriel" in table and "SMS" in table, table
        assert "Courriel" in html and "SMS" in html and "Répondants par canal" in html
