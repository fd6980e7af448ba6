"""The SMS gateway emulator, driven over real HTTP by the official client ``android-sms-gateway``.

Every answer is parsed back by the client's own ``from_dict``: if the client can read the
emulator, the shapes match what the gateway's documentation (and the client) expect.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator

import android_sms_gateway as ags
import pytest
from aiohttp import web
from android_sms_gateway import errors as ags_errors

from ..support.sms_gateway import LIMIT_EXCEEDED, SmsGatewayEmulator

PHONE = "+33612345678"


@pytest.fixture
async def gateway() -> AsyncIterator[SmsGatewayEmulator]:
    async with SmsGatewayEmulator(retry_base=0.05, retry_count=3) as gateway:
        yield gateway


def client(gateway: SmsGatewayEmulator, *, local: bool = False,
           password: str | None = None) -> ags.AsyncAPIClient:
    return ags.AsyncAPIClient(gateway.username, password or gateway.password,
                              base_url=gateway.local_url if local else gateway.cloud_url)


def text(body: str, *numbers: str, id: str | None = None) -> ags.Message:
    return ags.Message(phone_numbers=list(numbers or [PHONE]),
                       text_message=ags.TextMessage(body), id=id)


@pytest.mark.parametrize("local", [False, True])
async def test_send_then_state_through_both_paths(gateway: SmsGatewayEmulator,
                                                  local: bool) -> None:
    async with client(gateway, local=local) as api:
        state = await api.send(text("Bonjour, le marché est samedi.", id="row-1"))
        assert state.id == "row-1"
        assert state.state is ags.ProcessState.Pending
        assert [r.phone_number for r in state.recipients] == [PHONE]
        await gateway.wait_until(lambda: gateway.messages["row-1"].state == "Delivered")
        later = await api.get_state("row-1")
    assert later.state is ags.ProcessState.Delivered
    assert later.states is not None and "Sent" in later.states
    assert gateway.sent_to(PHONE) == ["Bonjour, le marché est samedi."]
    prefix = "" if local else "/3rdparty/v1"
    assert ("POST", f"{prefix}/messages") in gateway.requests


async def test_the_request_body_is_the_documented_one(gateway: SmsGatewayEmulator) -> None:
    async with client(gateway) as api:
        await api.send(text("Salut", id="row-2"))
    body = gateway.messages["row-2"].body
    assert body["textMessage"] == {"text": "Salut"}
    assert body["phoneNumbers"] == [PHONE]
    assert body["id"] == "row-2"


async def test_a_repeated_id_is_a_conflict_and_is_not_sent_twice(
        gateway: SmsGatewayEmulator) -> None:
    async with client(gateway) as api:
        await api.send(text("Une fois", id="row-3"))
        with pytest.raises(ags_errors.APIError) as caught:
            await api.send(text("Une fois", id="row-3"))
    assert caught.value.status_code == 409
    await gateway.wait_until(lambda: len(gateway.sent) == 1)
    assert gateway.sent_to(PHONE) == ["Une fois"]


async def test_errors_come_with_their_documented_status(gateway: SmsGatewayEmulator) -> None:
    async with client(gateway, password="wrong") as api:
        with pytest.raises(ags_errors.UnauthorizedError):
            await api.send(text("x"))
    async with client(gateway) as api:
        with pytest.raises(ags_errors.BadRequestError) as bad:
            await api.send(text("x", "0612345678"))
        assert "E.164" in str(bad.value.response)
        await api.send(text("ok", "0612345678"), skip_phone_validation=True)
        with pytest.raises(ags_errors.NotFoundError):
            await api.get_state("nope")
        gateway.fail_next(503, "Queue limits exceeded")
        with pytest.raises(ags_errors.ServiceUnavailableError) as full:
            await api.send(text("x"))
        assert full.value.response == {"message": "Queue limits exceeded"}
        gateway.fail_next(500)
        with pytest.raises(ags_errors.InternalServerError):
            await api.send(text("x"))


async def test_androids_limit_fails_the_parts_past_it() -> None:
    async with SmsGatewayEmulator(limit=(3, 60.0)) as gateway, client(gateway) as api:
        await api.send(text("a" * 200, id="two-parts"))  # 2 segments
        await api.send(text("b", id="third"))
        await api.send(text("c", id="fourth"))
        await gateway.wait_until(lambda: gateway.messages["fourth"].state == "Failed")
        state = await api.get_state("fourth")
    assert state.state is ags.ProcessState.Failed
    assert state.recipients[0].error == LIMIT_EXCEEDED
    assert gateway.messages["third"].state == "Delivered"


async def test_webhook_registration_list_replace_delete(gateway: SmsGatewayEmulator) -> None:
    async with client(gateway) as api:
        made = await api.create_webhook(ags.Webhook(
            id="animabot", url="https://mairie.example/sms/webhook",
            event=ags.WebhookEvent.SMS_RECEIVED))
        assert made.id == "animabot"
        await api.create_webhook(ags.Webhook(
            id="animabot", url="https://mairie.example/sms/other",
            event=ags.WebhookEvent.SMS_RECEIVED))
        listed = await api.get_webhooks()
        assert [(w.id, w.url) for w in listed] == [
            ("animabot", "https://mairie.example/sms/other")]
        with pytest.raises(ags_errors.BadRequestError):
            await api.create_webhook(ags.Webhook(
                id=None, url="http://mairie.example/plain", event=ags.WebhookEvent.SMS_RECEIVED))
        await api.delete_webhook("animabot")
        assert await api.get_webhooks() == []


async def _receiver(statuses: list[int]) -> tuple[web.AppRunner, str, list[
        tuple[bytes, dict[str, str]]]]:
    """A webhook receiver answering ``statuses`` in turn (then 200); records each request."""
    seen: list[tuple[bytes, dict[str, str]]] = []

    async def receive(request: web.Request) -> web.Response:
        seen.append((await request.read(), dict(request.headers)))
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/sms/webhook", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/sms/webhook", seen


async def test_an_incoming_sms_is_signed_and_retried_until_acknowledged(
        gateway: SmsGatewayEmulator) -> None:
    runner, url, seen = await _receiver([500, 503])
    try:
        async with client(gateway) as api:
            await api.create_webhook(ags.Webhook(id=None, url=url,
                                                 event=ags.WebhookEvent.SMS_RECEIVED))
        event_id = gateway.resident_sends(PHONE, "2")
        await gateway.wait_until(lambda: event_id in gateway.acknowledged)
    finally:
        await runner.cleanup()
    assert [a.status for a in gateway.attempts] == [500, 503, 200]
    raw, headers = seen[-1]
    timestamp = headers["X-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(gateway.signing_key.encode(), raw + timestamp.encode(),
                        hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Signature"], expected)
    body = json.loads(raw)
    assert body["event"] == "sms:received" and body["id"] == event_id
    assert body["deviceId"] == gateway.device_id
    payload = ags.SmsReceivedPayload.from_dict(body["payload"])  # the client reads it
    assert (payload.phone_number, payload.message, payload.sim_number) == (PHONE, "2", 1)
    assert payload.received_at.tzinfo is not None
    # The content-based messageId repeats for the same text; the event id does not.
    again = gateway.resident_sends(PHONE, "2")
    assert again != event_id


async def test_latency_is_added_to_each_call() -> None:
    async with SmsGatewayEmulator(latency=0.2) as gateway, client(gateway) as api:
        started = time.monotonic()
        await api.send(text("lent", id="slow"))
        assert time.monotonic() - started >= 0.2
