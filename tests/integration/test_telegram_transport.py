"""PTB's requests over aiohttp (adapters/telegram/transport.py): what the Bot API answers and
how each way a request can fail reaches the worker, over real HTTP to the emulator."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram import error as tg
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from adapters.telegram.errors import translate
from adapters.telegram.transport import AiohttpRequest
from animabot.errors import DeliveryUnknownError, RateLimitedError, TransientError

from ..helpers import until
from ..support.telegram_emulator import BotApiEmulator

ALICE = 101


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.add_user(ALICE, "Alice")
        emulator.user_sends(ALICE, ALICE, "/start")  # a bot may write only once spoken to
        emulator.pending_updates.clear()
        yield emulator


def _bot(emulator: BotApiEmulator, request: AiohttpRequest) -> Bot:
    return Bot(emulator.token, base_url=emulator.base_url, request=request)


async def _error_of(call: asyncio.Future[object] | object) -> Exception:
    try:
        await call  # type: ignore[misc]
    except tg.TelegramError as exc:
        return translate(exc)
    raise AssertionError("the call succeeded")


async def test_sends_and_reads_answers_as_ptb_does(emulator: BotApiEmulator) -> None:
    async with _bot(emulator, AiohttpRequest(4)) as bot:
        sent = await bot.send_message(ALICE, "<b>Réunion</b> jeudi", parse_mode="HTML")
        assert sent.text == "Réunion jeudi" and sent.chat.id == ALICE
        assert [entity.type for entity in sent.entities] == ["bold"]
        assert bot.username  # getMe, at initialize
    assert len(emulator.sent) == 1


async def test_a_429_is_rate_limited_with_its_delay(emulator: BotApiEmulator) -> None:
    emulator.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    async with _bot(emulator, AiohttpRequest(4)) as bot:
        error = await _error_of(bot.send_message(ALICE, "un"))
    assert isinstance(error, RateLimitedError) and error.retry_after == 3


async def test_an_answer_lost_after_the_request_left_is_in_doubt(
        emulator: BotApiEmulator) -> None:
    emulator.delay_next("sendMessage", 5.0)
    async with _bot(emulator, AiohttpRequest(4, read_timeout=0.3)) as bot:
        error = await _error_of(bot.send_message(ALICE, "tard"))
    assert isinstance(error, DeliveryUnknownError)
    assert [m.text for m in emulator.sent] == ["tard"]  # it was delivered: never resend it


async def test_a_connection_cut_mid_request_is_in_doubt(emulator: BotApiEmulator) -> None:
    emulator.close_connection_next("sendMessage")
    async with _bot(emulator, AiohttpRequest(4)) as bot:
        error = await _error_of(bot.send_message(ALICE, "coupé"))
    assert isinstance(error, DeliveryUnknownError)


async def test_no_connection_to_be_had_is_safe_to_retry(emulator: BotApiEmulator) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(4)
    await request.initialize()
    try:
        with pytest.raises(tg.NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{port}/bot{emulator.token}/getMe")
        assert isinstance(translate(caught.value), TransientError)
    finally:
        await request.shutdown()


async def test_no_free_connection_in_time_is_safe_to_retry(emulator: BotApiEmulator) -> None:
    emulator.delay_next("sendMessage", 3.0)
    async with _bot(emulator, AiohttpRequest(1, connect_timeout=0.1, pool_timeout=0.1)) as bot:
        holding = asyncio.create_task(bot.send_message(ALICE, "premier"))
        async def first_arrived() -> bool:
            return len(emulator.sent) == 1

        await until(first_arrived, 10, "the first send to reach the emulator")
        error = await _error_of(bot.send_message(ALICE, "second"))
        await holding
    assert isinstance(error, TransientError)
    assert [m.text for m in emulator.sent] == ["premier"]  # the second never left


async def test_files_go_as_multipart_beside_the_fields() -> None:
    seen: dict[str, object] = {}

    async def echo(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["document"]
        assert isinstance(upload, web.FileField)
        seen.update(chat_id=form["chat_id"], name=upload.filename, body=upload.file.read())
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/upload", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    request = AiohttpRequest(2)
    await request.initialize()
    try:
        data = RequestData([
            RequestParameter.from_input("chat_id", 42),
            RequestParameter.from_input("document", InputFile(b"%PDF-1.4", filename="cr.pdf")),
        ])
        assert await request.post(f"http://127.0.0.1:{port}/upload", data) is True
    finally:
        await request.shutdown()
        await runner.cleanup()
    assert seen == {"chat_id": "42", "name": "cr.pdf", "body": b"%PDF-1.4"}
