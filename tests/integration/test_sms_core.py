"""The SMS adapter with the real core: a resident's STOP through the signed webhook reaches
the conversation handler, and the core's answer goes out through the outbox as an SMS."""

from __future__ import annotations

import logging
import re
import socket
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from adapters.sms.adapter import SmsAdapter
from adapters.sms.memory import Memory, OpenOptions
from adapters.sms.segments import count
from adapters.sms.settings import sms_settings
from animabot.clock import FakeClock
from animabot.core import Core, open_core
from animabot.privacy.links import DATA
from animabot.store.address_book import AddressBook, Enrolment
from animabot.store.residents import ResidentRepository
from animabot.store.state import PlatformState
from animabot.web.public.app import build_public_app, public_state, serve_public

from ..conftest import T0, make_settings
from ..support.sms_gateway import SmsGatewayEmulator

PHONE = "+33612345678"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_stop_by_sms_unsubscribes_the_number_and_nothing_more_is_sent(
        tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    port = free_port()
    async with SmsGatewayEmulator(retry_base=0.05, retry_count=5) as gateway:
        config = sms_settings(settings)
        config.enabled = True
        config.gateway_url = gateway.cloud_url
        config.username = gateway.username
        config.password = SecretStr(gateway.password)
        config.webhook_secret = SecretStr(gateway.signing_key)
        config.webhook_url = f"http://127.0.0.1:{port}/sms/webhook"
        config.webhook_listen = f"127.0.0.1:{port}"
        async with open_core(settings, FakeClock(T0)) as core:
            adapter = SmsAdapter(settings, core.pseudonymize, PlatformState(core.database, "sms"))
            await adapter.start(core.conversation.handle)
            try:
                event_id = gateway.resident_sends("06 12 34 56 78", "ARRET")
                await gateway.wait_until(lambda: event_id in gateway.acknowledged)
                resident = await core.database.fetch_one(
                    "SELECT r.pseudonym, r.opted_out, a.address, a.status FROM resident r"
                    " JOIN address_book a USING (pseudonym) WHERE r.platform = 'sms'")
                assert resident is not None
                assert resident["pseudonym"] == core.pseudonymize("sms", PHONE)
                assert (resident["opted_out"], resident["status"]) == (1, "unsubscribed")
                assert resident["address"] == PHONE  # E.164, in the address book only
                worker = core.worker({"sms": adapter})
                await worker.drain()
                # The same event posted again (by its id): the inbox drops it.
                gateway.redeliver(event_id)
                await gateway.wait_until(lambda: gateway.acknowledgements(event_id) == 2)
                await worker.drain()
                assert gateway.messages == {}  # STOP stops everything, a confirmation too
            finally:
                await adapter.stop()


async def test_erasing_a_resident_forgets_the_options_kept_for_them(tmp_path: Path) -> None:
    async with open_core(make_settings(tmp_path), FakeClock(T0)) as core:
        who = core.pseudonymize("sms", PHONE)
        await ResidentRepository(core.database).touch(who, "sms", T0, private_address=PHONE)
        memory = Memory(PlatformState(core.database, "sms"))
        await memory.remember(who, OpenOptions("ref", ("a", "b")))
        await memory.save_sent([1.0])
        await ResidentRepository(core.database).erase(who)
        rows = await core.database.fetch_all("SELECT key, value FROM platform_state")
        assert all(who not in row["key"] and who not in row["value"] for row in rows)
        assert await memory.options(who) is None
        assert await memory.load_sent() == [1.0]  # not about anyone: kept


async def _texts_in_database(core: Core) -> str:
    """Every text value of every table, for a "no trace anywhere" check."""
    tables = await core.database.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table'")
    found: list[str] = []
    for table in tables:
        for row in await core.database.fetch_all(f"SELECT * FROM {table['name']}"):
            found.extend(str(value) for value in dict(row).values())
    return "\n".join(found)


async def test_donnees_and_oubli_by_sms_with_the_code_sent_to_the_number(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """DONNEES: a short summary and the data page's link; OUBLI (even after STOP): a code
    to the number, a wrong code erases nothing, the right one erases, and the number is
    nowhere after."""
    caplog.set_level(logging.DEBUG)
    settings = make_settings(tmp_path)
    web_port = free_port()
    public = f"http://127.0.0.1:{web_port}"
    settings.web.public_url = public
    port = free_port()
    async with SmsGatewayEmulator(retry_base=0.05, retry_count=5) as gateway:
        config = sms_settings(settings)
        config.enabled = True
        config.gateway_url = gateway.cloud_url
        config.username = gateway.username
        config.password = SecretStr(gateway.password)
        config.webhook_secret = SecretStr(gateway.signing_key)
        config.webhook_url = f"http://127.0.0.1:{port}/sms/webhook"
        config.webhook_listen = f"127.0.0.1:{port}"
        async with open_core(settings, FakeClock(T0)) as core, AsyncExitStack() as stack:
            await serve_public(stack, build_public_app(public_state(core, {})), "127.0.0.1",
                               web_port)
            who = core.pseudonymize("sms", PHONE)
            await AddressBook(core.database).enrol_all(
                [Enrolment(who, "sms", PHONE, "centre", "fr", T0)], T0)
            adapter = SmsAdapter(settings, core.pseudonymize, PlatformState(core.database, "sms"))
            await adapter.start(core.conversation.handle)
            worker = core.worker({"sms": adapter})

            async def says(text: str) -> str:
                before = len(gateway.sent_to(PHONE))
                event_id = gateway.resident_sends("06 12 34 56 78", text)
                await gateway.wait_until(lambda: event_id in gateway.acknowledged)
                await worker.drain()
                await gateway.wait_until(lambda: len(gateway.sent_to(PHONE)) > before)
                return gateway.sent_to(PHONE)[-1]

            async def silent(text: str) -> None:
                before = len(gateway.sent_to(PHONE))
                event_id = gateway.resident_sends("06 12 34 56 78", text)
                await gateway.wait_until(lambda: event_id in gateway.acknowledged)
                await worker.drain()
                assert len(gateway.sent_to(PHONE)) == before

            try:
                summary = await says("Mes données")
                assert "0 réponses" in summary and "OUBLI" in summary
                link = re.search(re.escape(public) + r"/r/(\S+)", summary)
                assert link is not None
                opened = core.composer.personalise
                assert opened is not None
                verified = opened.links.verify(link.group(1), T0)
                assert verified is not None and verified.action == DATA
                assert count(summary).segments <= config.max_segments
                async with aiohttp.ClientSession() as http:  # the full view, on the web
                    async with http.get(link.group(0)) as page:
                        html = await page.text()
                    assert page.status == 200 and "réponses aux sondages : 0" in html
                    assert f"/r/{link.group(1)}/oubli" in html  # its erasure button
                    async with http.post(link.group(0), data={"option": "0"}) as refused:
                        assert refused.status == 404  # a data link votes for nothing

                # STOP stops everything, yet the person may still have it all erased: the
                # answers to OUBLI go to this number, and only they.
                await silent("STOP")
                asked = await says("OUBLI")
                code = re.search(r"OUBLI (\d{6})", asked)
                assert code is not None
                wrong = f"{(int(code.group(1)) + 1) % 10 ** 6:06d}"
                assert "Rien n'a été effacé" in await says(f"oubli {wrong}")
                assert await ResidentRepository(core.database).get(who) is not None

                farewell = await says(f"OUI {code.group(1)}")
                assert "effacées" in farewell or "erased" in farewell
                assert await ResidentRepository(core.database).get(who) is None
                stored = await _texts_in_database(core)
                assert PHONE not in stored and "612345678" not in stored
                assert who not in stored
                async with aiohttp.ClientSession() as http, http.get(link.group(0)) as page:
                    assert page.status == 404  # the link died with the data
                assert PHONE not in caplog.text and "12 34 56 78" not in caplog.text
            finally:
                await adapter.stop()
