"""The SMS adapter against the gateway emulator, over real HTTP both ways: sends through the
official client, incoming SMS through the signed webhook."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import ClientSession

from adapters.sms.adapter import WEBHOOK_ID, SmsAdapter, gateway_id
from adapters.sms.signature import sign
from animabot.chat.events import ButtonPressed, CommandReceived, InboundEvent
from animabot.chat.outgoing import Button, OutgoingMessage, Target
from animabot.config import Settings
from animabot.errors import RateLimitedError, StorageUnavailableError
from animabot.privacy.pseudonyms import Pseudonymizer

from ..support.sms_gateway import SmsGatewayEmulator

PHONE = "+33612345678"
TARGET = Target("sms", PHONE, True)
POLL = OutgoingMessage(
    "Un jardin partagé rue Haute ?",
    ((Button("1. Oui", "v.7.0~sig0"),), (Button("2. Non", "v.7.1~sig1"),)),
    title="Sondage", question=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Core:
    """Records what the adapter hands the core; answers a press with a notice."""

    events: list[InboundEvent] = field(default_factory=list)
    fail_next: int = 0

    async def __call__(self, event: InboundEvent) -> str | None:
        if self.fail_next:
            self.fail_next -= 1
            raise StorageUnavailableError("disk full")
        self.events.append(event)
        return "Réponse enregistrée : Non." if isinstance(event, ButtonPressed) else None


@pytest.fixture
async def gateway() -> AsyncIterator[SmsGatewayEmulator]:
    async with SmsGatewayEmulator(retry_base=0.05, retry_count=5) as gateway:
        yield gateway


def settings(gateway: SmsGatewayEmulator, port: int, **extra: object) -> Settings:
    return Settings(sms={
        "enabled": True, "gateway_url": gateway.cloud_url, "username": gateway.username,
        "password": gateway.password, "webhook_secret": gateway.signing_key,
        "webhook_url": f"http://127.0.0.1:{port}/sms/webhook",
        "webhook_listen": f"127.0.0.1:{port}", "sender_name": "Mairie", **extra})


@pytest.fixture
async def running(gateway: SmsGatewayEmulator) -> AsyncIterator[tuple[SmsAdapter, Core, int]]:
    port = free_port()
    adapter = SmsAdapter(settings(gateway, port), Pseudonymizer(b"k" * 32), None)
    core = Core()
    await adapter.start(core)
    try:
        yield adapter, core, port
    finally:
        await adapter.stop()


async def test_start_registers_the_webhook(gateway: SmsGatewayEmulator,
                                           running: tuple[SmsAdapter, Core, int]) -> None:
    _, _, port = running
    hook = gateway.webhooks[WEBHOOK_ID]
    assert (hook.url, hook.event) == (f"http://127.0.0.1:{port}/sms/webhook", "sms:received")


async def test_a_poll_goes_out_and_a_reply_with_its_number_answers_it(
        gateway: SmsGatewayEmulator, running: tuple[SmsAdapter, Core, int]) -> None:
    adapter, core, _ = running
    result = await adapter.send(TARGET, POLL, key="c1:poll:r:tag1")
    assert result.ref == gateway_id("c1:poll:r:tag1")
    await gateway.wait_until(lambda: len(gateway.sent) == 1)
    assert gateway.sent_to(PHONE) == [
        "Mairie: Sondage\nUn jardin partagé rue Haute ?\n1. Oui\n2. Non\n"
        "Répondez 1 ou 2.\nSTOP pour ne plus recevoir de SMS"]
    event_id = gateway.resident_sends(PHONE, "2")
    await gateway.wait_until(lambda: event_id in gateway.acknowledged)
    [press] = core.events
    assert isinstance(press, ButtonPressed)
    assert (press.event_id, press.action, press.message_ref) == (event_id, "v.7.1~sig1",
                                                                 result.ref)
    assert press.chat.private and press.sender is not None
    assert press.sender.private_address == PHONE and PHONE not in press.sender.pseudonym
    # The notice the core returned goes back as an SMS: "Réponse enregistrée".
    await gateway.wait_until(lambda: len(gateway.sent) == 2)
    assert gateway.sent_to(PHONE)[-1] == "Mairie\nRéponse enregistrée : Non."


async def test_no_phone_number_in_the_logs(
        gateway: SmsGatewayEmulator, running: tuple[SmsAdapter, Core, int],
        caplog: pytest.LogCaptureFixture) -> None:
    adapter, core, _ = running
    caplog.set_level(logging.DEBUG)
    await adapter.send(TARGET, POLL, key="c1:poll:r:tag1")
    core.fail_next = 1  # logged: "not journaled"
    for text in ("1", "AIDE", "n'importe quoi", "STOP"):
        event_id = gateway.resident_sends(PHONE, text)
        await gateway.wait_until(lambda event_id=event_id: event_id in gateway.acknowledged)
    assert caplog.records and PHONE not in caplog.text and "612345678" not in caplog.text


async def test_a_resend_of_the_same_row_is_not_a_second_sms(
        gateway: SmsGatewayEmulator, running: tuple[SmsAdapter, Core, int]) -> None:
    adapter, _, _ = running
    first = await adapter.send(TARGET, POLL, key="c1:poll:r:tag1")
    again = await adapter.send(TARGET, POLL, key="c1:poll:r:tag1")  # after a crash: 409
    assert first == again
    await gateway.wait_until(lambda: len(gateway.sent) == 1)
    assert len(gateway.messages) == 1


async def test_a_number_with_no_open_poll_is_explained_once(
        gateway: SmsGatewayEmulator, running: tuple[SmsAdapter, Core, int]) -> None:
    _, core, _ = running
    first = gateway.resident_sends(PHONE, "3")
    second = gateway.resident_sends(PHONE, "bonjour")
    await gateway.wait_until(lambda: {first, second} <= gateway.acknowledged)
    assert core.events == []
    await gateway.wait_until(lambda: len(gateway.sent) == 1)
    assert gateway.sent_to(PHONE) == [
        "Mairie\nRéponse non comprise. Envoyez le numéro de votre choix, AIDE pour l'aide, "
        "STOP pour ne plus recevoir de SMS."]


async def test_stop_unsubscribes_and_closes_the_open_poll(
        gateway: SmsGatewayEmulator, running: tuple[SmsAdapter, Core, int]) -> None:
    adapter, core, _ = running
    await adapter.send(TARGET, POLL, key="c1:poll:r:tag1")
    stop = gateway.resident_sends(PHONE, "Stop SMS")
    await gateway.wait_until(lambda: stop in gateway.acknowledged)
    [command] = core.events
    assert isinstance(command, CommandReceived) and command.command == "stop"
    late = gateway.resident_sends(PHONE, "1")  # the poll is no longer open to that number
    await gateway.wait_until(lambda: late in gateway.acknowledged)
    assert len(core.events) == 1


async def test_aide_explains_in_french_help_in_english(
        gateway: SmsGatewayEmulator, running: tuple[SmsAdapter, Core, int]) -> None:
    event_id = gateway.resident_sends(PHONE, "AIDE")
    english = gateway.resident_sends("+33698765432", "help")
    await gateway.wait_until(lambda: {event_id, english} <= gateway.acknowledged)
    await gateway.wait_until(lambda: len(gateway.sent) == 2)
    assert gateway.sent_to(PHONE)[0].startswith("Mairie\nPour répondre, envoyez le numéro")
    assert gateway.sent_to("+33698765432")[0].startswith("Mairie\nTo answer, send the number")


async def test_a_reply_not_journaled_is_answered_503_and_comes_again(
        gateway: SmsGatewayEmulator, running: tuple[SmsAdapter, Core, int]) -> None:
    adapter, core, _ = running
    await adapter.send(TARGET, POLL, key="c1:poll:r:tag1")
    core.fail_next = 1
    event_id = gateway.resident_sends(PHONE, "1")
    await gateway.wait_until(lambda: event_id in gateway.acknowledged)
    assert [a.status for a in gateway.attempts] == [503, 200]
    assert [e.event_id for e in core.events] == [event_id]


async def test_forged_and_stale_webhooks_are_refused(
        gateway: SmsGatewayEmulator, running: tuple[SmsAdapter, Core, int]) -> None:
    _, core, port = running
    url = f"http://127.0.0.1:{port}/sms/webhook"
    body = (b'{"event":"sms:received","id":"forged","deviceId":"d","webhookId":"w",'
            b'"payload":{"message":"1","phoneNumber":"+33612345678"}}')
    now = str(int(time.time()))
    stale = str(int(time.time()) - 3600)
    async with ClientSession() as session:
        for timestamp, signature in [(now, sign("wrong key", body, now)),
                                     (stale, sign(gateway.signing_key, body, stale)),
                                     (now, "")]:
            async with session.post(url, data=body, headers={
                    "X-Timestamp": timestamp, "X-Signature": signature}) as response:
                assert response.status == 401
        async with session.post(url, data=body, headers={
                "X-Timestamp": now, "X-Signature": sign(gateway.signing_key, body, now)}) as ok:
            assert ok.status == 200
    assert core.events == []  # well signed, but no poll was open to that number


async def test_androids_limit_asks_to_retry_later_rather_than_fail(
        gateway: SmsGatewayEmulator) -> None:
    port = free_port()
    adapter = SmsAdapter(settings(gateway, port, max_per_window=3, stop_hint=False),
                         Pseudonymizer(b"k" * 32), None)
    await adapter.start(Core())
    try:
        await adapter.send(TARGET, OutgoingMessage("a" * 200), key="k1")  # 2 parts
        await adapter.send(TARGET, OutgoingMessage("b"), key="k2")
        with pytest.raises(RateLimitedError) as caught:
            await adapter.send(TARGET, OutgoingMessage("c"), key="k3")
        assert 1790 < caught.value.retry_after <= 1800
    finally:
        await adapter.stop()
    await gateway.wait_until(lambda: len(gateway.sent) == 2)
    assert all(m.state == "Delivered" for m in gateway.messages.values())
