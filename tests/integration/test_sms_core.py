"""The SMS adapter with the real core: a resident's STOP through the signed webhook reaches
the conversation handler, and the core's answer goes out through the outbox as an SMS."""

from __future__ import annotations

import socket
from pathlib import Path

from pydantic import SecretStr

from adapters.sms.adapter import SmsAdapter
from adapters.sms.memory import Memory, OpenOptions
from adapters.sms.settings import sms_settings
from animabot.clock import FakeClock
from animabot.core import open_core
from animabot.store.residents import ResidentRepository
from animabot.store.state import PlatformState

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
